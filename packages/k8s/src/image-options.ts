import { isPlainObject, UserError } from '@shipfleet/core';
import { canonicalImageName, formatImageTarget, parseImageRef, parseImageTarget } from './images';

/** One image to set, and where it was given (for messages). */
export interface ImageSetting {
  /** Image name without tag or digest, as the manifests write it. */
  name: string;
  /** What it becomes, as an `images` value: `1.4.2`, `sha256:…` or `1.4.2@sha256:…`. */
  target: string;
  /** The option it came from, e.g. `images` or `image`. */
  option: string;
  /** The text as the user wrote it. */
  given: string;
}

/** The images to set, merged from every option that names some, and which option named each. */
export interface ImageOptions {
  /** Image name → tag or digest, as setImages reads it. */
  images: Record<string, string>;
  /** Image name → the option it came from. */
  sources: Record<string, string>;
  /** Settings left out because an option of higher precedence names the same image. */
  replaced: Array<{ setting: ImageSetting; by: ImageSetting }>;
}

const REF_FIX = 'Write <name>:<tag> or <name>@sha256:<64 hex digits>, e.g. registry.example.com/api:1.4.2; a registry port comes before the path (localhost:5000/api:1.2)';
const TARGET_FIX = 'A tag is up to 128 letters, digits, _, . and - (not starting with . or -); a digest is sha256:<64 hex digits>';
const LIST_FIX = 'Write name=tag entries separated by commas, e.g. "registry.example.com/api=1.4.2,registry.example.com/worker@sha256:<64 hex digits>"';

const DIGEST_LENGTHS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** Why a registry would refuse this digest (its hex part must have the algorithm's length, lowercase); undefined when fine. */
export function digestProblem(digest: string): string | undefined {
  const [algorithm, hex = ''] = digest.split(':');
  const length = DIGEST_LENGTHS[algorithm];
  if (length === undefined) return `"${algorithm}" is not a digest algorithm registries accept (sha256, sha384, sha512)`;
  if (!new RegExp(`^[0-9a-f]{${length}}$`).test(hex)) return `a ${algorithm} digest is ${length} lowercase hex digits, not "${hex}"`;
  return undefined;
}

function checkedTarget(option: string, name: string, target: string, given: string): string {
  const parsed = parseImageTarget(target);
  if (!parsed) throw new UserError(option, `"${target}" (for ${name}) is neither a tag nor a digest`, TARGET_FIX);
  const problem = parsed.digest && digestProblem(parsed.digest);
  if (problem) throw new UserError(option, `"${given}": ${problem}`, 'Copy the digest the registry or the image build printed (sha256:<64 hex digits>)');
  return formatImageTarget(parsed);
}

function checkedName(option: string, name: string): string {
  const ref = parseImageRef(name);
  if (!ref) throw new UserError(option, `"${name}" is not a valid image name`, 'Use the image name as the manifests write it: [registry[:port]/]path, lowercase');
  if (ref.tag || ref.digest) throw new UserError(option, `"${name}" includes a ${ref.digest ? 'digest' : 'tag'}`, `Use the name without tag or digest as the key ("${ref.name}") and the new tag or digest as the value`);
  return name;
}

/** `registry:5000/api:1.2`, `api@sha256:…` or `api:1.2@sha256:…`: the last colon after the last slash starts the tag. */
export function imageSettingFromRef(option: string, given: string): ImageSetting {
  const text = given.trim();
  if (!text) throw new UserError(option, 'holds an empty image reference', REF_FIX);
  const ref = parseImageRef(text);
  if (!ref) throw new UserError(option, `"${text}" is not an image reference`, REF_FIX);
  if (!ref.tag && !ref.digest) throw new UserError(option, `"${text}" has no tag or digest`, REF_FIX);
  const target = checkedTarget(option, ref.name, formatImageTarget(ref), text);
  return { name: ref.name, target, option, given: text };
}

/** The `images` map: name → tag or digest. */
export function imageSettingsFromMap(option: string, map: Record<string, unknown>): ImageSetting[] {
  return Object.entries(map).map(([name, value]) => {
    if (isPlainObject(value)) {
      // `--images.registry.example.com/api=1.2` reaches us split at every dot.
      throw new UserError(option, `the value of "${name}" is a map, not a tag`, `On the command line Nx splits --${option}.<name> at the dots: write --image=<name>:<tag> or --${option}=<name>=<tag> instead`);
    }
    if (typeof value !== 'string') throw new UserError(option, `the value of "${name}" is ${JSON.stringify(value)}, not a string`, 'Quote it, e.g. "1.0" instead of 1.0');
    checkedName(option, name);
    return { name, target: checkedTarget(option, name, value, `${name}=${value}`), option, given: `${name}=${value}` };
  });
}

/** `name=tag,name2@sha256:…,name3:tag`: each entry is name=target, or a whole image reference. */
export function imageSettingsFromList(option: string, text: string): ImageSetting[] {
  if (!text.trim()) throw new UserError(option, 'is empty', LIST_FIX);
  return text.split(',').map((raw) => {
    const entry = raw.trim();
    if (!entry) throw new UserError(option, `"${text}" has an empty entry`, LIST_FIX);
    const eq = entry.indexOf('=');
    if (eq === -1) return imageSettingFromRef(option, entry);
    const name = entry.slice(0, eq).trim();
    const value = entry.slice(eq + 1).trim();
    if (!name || !value) throw new UserError(option, `"${entry}" needs a name before "=" and a tag or digest after it`, LIST_FIX);
    checkedName(option, name);
    return { name, target: checkedTarget(option, name, value, entry), option, given: entry };
  });
}

/** `image`: one reference, several separated by commas, or a list of them (Nx gives a list when the flag is repeated). */
export function imageSettingsFromRefs(option: string, value: unknown): ImageSetting[] {
  const items = Array.isArray(value) ? value : [value];
  return items.flatMap((item) => {
    if (typeof item !== 'string') throw new UserError(option, `${JSON.stringify(item)} is not an image reference`, REF_FIX);
    return item.split(',').map((ref) => imageSettingFromRef(option, ref));
  });
}

/**
 * Merges image settings given in layers, the first layer winning: the same
 * image (as registries resolve its name) in a later layer is left out and
 * reported in `replaced`. Within one layer the same image with different
 * targets is an error naming both; given twice alike, it counts once.
 */
export function mergeImageLayers(layers: ImageSetting[][]): ImageOptions {
  const chosen = new Map<string, ImageSetting>();
  const out: ImageOptions = { images: {}, sources: {}, replaced: [] };
  for (const layer of layers) {
    const inLayer = new Map<string, ImageSetting>();
    for (const s of layer) {
      const key = canonicalImageName(s.name);
      const same = inLayer.get(key);
      if (same) {
        if (same.target === s.target) continue;
        const where = (x: ImageSetting) => `"${x.given}" (${x.option})`;
        throw new UserError(s.option, `${s.name} is given twice with different targets: ${where(same)} and ${where(s)}`, 'Give each image once');
      }
      inLayer.set(key, s);
      const earlier = chosen.get(key);
      if (earlier) {
        if (earlier.target !== s.target) out.replaced.push({ setting: s, by: earlier });
        continue;
      }
      chosen.set(key, s);
      out.images[s.name] = s.target;
      out.sources[s.name] = s.option;
    }
  }
  return out;
}

/**
 * Reads `image` (references: a list, or separated by commas) and `images` (a
 * map, or a `name=tag,…` string), checks every entry, and merges them: an
 * image named by `image` replaces the same one in `images` (`image` is the
 * command-line way; `images` usually comes from project.json), and both
 * replace the same image among `defaults` (another source, e.g. an image
 * record). The same image twice in one option with different targets is an error.
 */
export function readImageOptions(raw: { images?: unknown; image?: unknown }, defaults: ImageSetting[] = []): ImageOptions {
  const { images, image } = raw;
  const fromImages: ImageSetting[] = [];
  if (images !== undefined && images !== null) {
    if (typeof images === 'string') fromImages.push(...imageSettingsFromList('images', images));
    else if (isPlainObject(images)) fromImages.push(...imageSettingsFromMap('images', images));
    else throw new UserError('images', 'must be a map of image names to tags, or a "name=tag,…" string', 'Example: "images": {"registry.example.com/api": "1.4.2"}, or on the command line --image=registry.example.com/api:1.4.2');
  }
  const fromImage = image !== undefined && image !== null ? imageSettingsFromRefs('image', image) : [];
  return mergeImageLayers([fromImage, fromImages, defaults]);
}

/** Whether `image` or `images` name this image (as registries resolve names); entries that do not parse are ignored here. */
export function namesImage(raw: { images?: unknown; image?: unknown }, name: string): boolean {
  const wanted = canonicalImageName(name);
  const names: string[] = [];
  if (isPlainObject(raw.images)) names.push(...Object.keys(raw.images));
  const refs = [typeof raw.images === 'string' ? raw.images : '', ...(Array.isArray(raw.image) ? raw.image : [raw.image])].filter((x): x is string => typeof x === 'string');
  for (const entry of refs.flatMap((r) => r.split(','))) {
    const text = entry.trim();
    const eq = text.indexOf('=');
    const ref = parseImageRef(eq === -1 ? text : text.slice(0, eq).trim());
    if (ref) names.push(ref.name);
  }
  return names.some((n) => {
    const ref = parseImageRef(n);
    return !!ref && canonicalImageName(ref.name) === wanted;
  });
}

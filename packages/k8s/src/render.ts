import { UserError } from '@shipfleet/core';
import { ImageChange, listImages, setImages } from './images';
import { renderYaml } from './manifests';
import { addCommonMetadata, applyNamespace } from './metadata';
import { orderForApply } from './order';
import { maskSecrets } from './secrets';
import { K8sObject, ManifestObject } from './types';

export interface RenderOptions {
  images: Record<string, string>;
  /** Image name → the option that set it (default `images`), so a name matching nothing is reported under its option. */
  imageSources?: Record<string, string>;
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Manifests ready to apply, and their masked form for anything shown to a person. */
export interface RenderedManifests {
  /** In apply order, images set, common metadata added, namespace filled in. Holds secret values: never print. */
  objects: K8sObject[];
  /** The same with Secret data and stringData values replaced by ***. */
  masked: K8sObject[];
  /** `masked` as multi-document YAML. */
  yaml: string;
  /** Values of Secret data/stringData (and their decoded forms), for the run's redactor. */
  secrets: string[];
  imageChanges: ImageChange[];
}

/**
 * Turns loaded manifests into what is applied: images substituted, common
 * labels and annotations added, the namespace filled in, sorted into apply
 * order, and masked for display. An `images` entry that matches no container
 * and an object in another namespace are errors naming the option.
 */
export function renderManifests(input: ManifestObject[] | K8sObject[], options: RenderOptions): RenderedManifests {
  const objects = input.map((x) => ('source' in x && 'object' in x ? (x as ManifestObject).object : (x as K8sObject)));
  const sourceOf = (name: string) => options.imageSources?.[name] ?? 'images';
  let imageResult: ReturnType<typeof setImages>;
  try {
    imageResult = setImages(objects, options.images);
  } catch (e) {
    throw new UserError('images', (e as Error).message.replace(/^images: /, ''), 'Map an image name (registry/path, no tag) to a tag such as 1.4.2 or a digest such as sha256:…');
  }
  if (imageResult.unmatched.length) {
    const found = [...new Set(listImages(objects).map((i) => i.image))];
    const named = [...new Set(imageResult.unmatched.map(sourceOf))];
    throw new UserError(
      named.join(', '),
      `${imageResult.unmatched.map((k) => `"${k}"`).join(', ')} match${imageResult.unmatched.length === 1 ? 'es' : ''} no container image in the manifests (images there: ${found.length ? found.join(', ') : 'none'})`,
      'Use the image name as the manifests write it, without tag or digest',
    );
  }
  const { objects: namespaced, problems } = applyNamespace(imageResult.objects, options.namespace);
  if (problems.length) {
    throw new UserError('namespace', problems.join('; '), `Remove metadata.namespace from those objects so they go to "${options.namespace}", or deploy them separately with their own namespace`);
  }
  const withMetadata = addCommonMetadata(namespaced, { labels: options.labels, annotations: options.annotations });
  const ordered = orderForApply(withMetadata);
  const { objects: masked, secrets } = maskSecrets(ordered);
  return { objects: ordered, masked, yaml: renderYaml(masked), secrets, imageChanges: imageResult.changes };
}

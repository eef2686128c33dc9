import { UserError } from '@shipfleet/core';
import { digestProblem, namesImage, readImageOptions } from './image-options';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).fix.length).toBeGreaterThan(10);
    return e as UserError;
  }
  throw new Error('no error thrown');
}

describe('readImageOptions', () => {
  it('reads --image as Nx hands it: one string, a list (the flag repeated), or comma-separated', () => {
    expect(readImageOptions({ image: 'registry.example.com/api:1.2.3' }).images).toEqual({ 'registry.example.com/api': '1.2.3' });
    expect(readImageOptions({ image: ['registry.example.com/api:1.2.3', `registry.example.com/worker@${DIGEST}`] }).images).toEqual({
      'registry.example.com/api': '1.2.3',
      'registry.example.com/worker': DIGEST,
    });
    // Nx splits a single value of an array option at commas; a repeated flag keeps each value whole.
    expect(readImageOptions({ image: [`a:1,b@${DIGEST}`, 'c:3'] }).images).toEqual({ a: '1', b: DIGEST, c: '3' });
    expect(readImageOptions({ image: `api:1.2@${DIGEST}` }).images).toEqual({ api: `1.2@${DIGEST}` });
  });

  it('takes the last colon after the last slash as the tag: registry ports stay in the name', () => {
    expect(readImageOptions({ image: 'localhost:5000/api:1.2' }).images).toEqual({ 'localhost:5000/api': '1.2' });
    expect(userError(() => readImageOptions({ image: 'localhost:5000/team/api' })).message).toBe(
      'Option "image": "localhost:5000/team/api" has no tag or digest. Write <name>:<tag> or <name>@sha256:<64 hex digits>, e.g. registry.example.com/api:1.4.2; a registry port comes before the path (localhost:5000/api:1.2)',
    );
    expect(readImageOptions({ image: `[::1]:5000/api@${DIGEST}` }).images).toEqual({ '[::1]:5000/api': DIGEST });
    expect(readImageOptions({ images: 'localhost:5000/api=1.2,localhost:5001/web:2.0' }).images).toEqual({ 'localhost:5000/api': '1.2', 'localhost:5001/web': '2.0' });
  });

  it('reads images as a map or as a name=tag,… string', () => {
    expect(readImageOptions({ images: { 'registry:5000/api': '1.0.0', web: `@${DIGEST}` } }).images).toEqual({ 'registry:5000/api': '1.0.0', web: DIGEST });
    expect(readImageOptions({ images: ` registry:5000/api=1.0.0 , web@${DIGEST},worker=2.0@${DIGEST}` })).toEqual({
      images: { 'registry:5000/api': '1.0.0', web: DIGEST, worker: `2.0@${DIGEST}` },
      sources: { 'registry:5000/api': 'images', web: 'images', worker: 'images' },
      replaced: [],
    });
  });

  it('image replaces the same image in images (also written differently), and says so', () => {
    const o = readImageOptions({ images: { 'docker.io/library/nginx': '1.25', api: '1.0.0' }, image: 'nginx:1.27' });
    expect(o.images).toEqual({ nginx: '1.27', api: '1.0.0' });
    expect(o.sources).toEqual({ nginx: 'image', api: 'images' });
    expect(o.replaced.map(({ setting, by }) => `${by.given} (${by.option}) over ${setting.given} (${setting.option})`)).toEqual(['nginx:1.27 (image) over docker.io/library/nginx=1.25 (images)']);
    // Both replace a default from another source.
    const d = readImageOptions({ image: 'api:2' }, [{ name: 'api', target: DIGEST, option: 'container-image', given: `api@${DIGEST}` }, { name: 'web', target: '3', option: 'container-image', given: 'web:3' }]);
    expect(d.images).toEqual({ api: '2', web: '3' });
    expect(d.replaced).toHaveLength(1);
  });

  it('the same image twice with different targets in one option is an error naming both; twice alike counts once', () => {
    expect(readImageOptions({ image: ['api:1', 'docker.io/library/api:1'] }).images).toEqual({ api: '1' });
    expect(userError(() => readImageOptions({ image: ['api:1', 'docker.io/library/api:2'] })).message).toBe(
      'Option "image": docker.io/library/api is given twice with different targets: "api:1" (image) and "docker.io/library/api:2" (image). Give each image once',
    );
    expect(userError(() => readImageOptions({ images: 'api=1,api=2' })).option).toBe('images');
    expect(userError(() => readImageOptions({ images: { nginx: '1', 'docker.io/library/nginx': '2' } })).message).toMatch(/docker.io\/library\/nginx is given twice/);
  });

  describe('bad input names the option and the fix', () => {
    const cases: Array<[string, Parameters<typeof readImageOptions>[0], string, RegExp]> = [
      ['image without tag or digest', { image: 'registry.example.com/api' }, 'image', /has no tag or digest/],
      ['image that is no reference', { image: 'Registry/API:1' }, 'image', /"Registry\/API:1" is not an image reference/],
      ['image with an empty tag', { image: 'api:' }, 'image', /"api:" is not an image reference/],
      ['image empty (--image=)', { image: [''] }, 'image', /holds an empty image reference/],
      ['image with an empty entry between commas', { image: 'api:1,,web:2' }, 'image', /holds an empty image reference/],
      ['image digest one digit short', { image: `api@${DIGEST.slice(0, -1)}` }, 'image', /"api@sha256:[0-9a-f]{63}": a sha256 digest is 64 lowercase hex digits/],
      ['image digest in upper case', { image: `api@${DIGEST.toUpperCase().replace('SHA256', 'sha256')}` }, 'image', /a sha256 digest is 64 lowercase hex digits/],
      ['image digest of an unknown algorithm', { image: `api@md5:${'a'.repeat(32)}` }, 'image', /"md5" is not a digest algorithm/],
      ['image not a string', { image: [3 as unknown as string] }, 'image', /3 is not an image reference/],
      ['images string empty', { images: ' ' }, 'images', /is empty/],
      ['images string entry without a target', { images: 'api=' }, 'images', /"api=" needs a name before "=" and a tag or digest after it/],
      ['images string with a bad tag', { images: 'api=-x' }, 'images', /"-x" \(for api\) is neither a tag nor a digest/],
      ['images string with a tagged name', { images: 'api:1=2' }, 'images', /"api:1" includes a tag/],
      ['images string with an empty entry', { images: 'api=1,,web=2' }, 'images', /has an empty entry/],
      ['images string with a bare name', { images: 'api' }, 'images', /"api" has no tag or digest/],
      ['images map split at dots by Nx', { images: { registry: { example: { 'com/api': '1.2' } } } as unknown as Record<string, string> }, 'images', /the value of "registry" is a map, not a tag/],
      ['images map with a short digest', { images: { api: 'sha256:abcd'.padEnd(40, '0') } }, 'images', /a sha256 digest is 64 lowercase hex digits/],
      ['images neither map nor string', { images: 5 as unknown as string }, 'images', /must be a map of image names to tags, or a "name=tag,…" string/],
    ];
    it.each(cases)('%s', (_name, raw, option, text) => {
      const e = userError(() => readImageOptions(raw));
      expect(e.option).toBe(option);
      expect(e.message).toMatch(text);
    });
  });
});

describe('digestProblem', () => {
  it('accepts the lengths registries accept', () => {
    expect(digestProblem(DIGEST)).toBeUndefined();
    expect(digestProblem(`sha512:${'ab'.repeat(64)}`)).toBeUndefined();
    expect(digestProblem(`sha256:${'ab'.repeat(64)}`)).toMatch(/64 lowercase hex digits/);
  });
});

describe('namesImage', () => {
  it('finds an image among image and images, as registries resolve names', () => {
    expect(namesImage({ image: ['nginx:1'] }, 'docker.io/library/nginx')).toBe(true);
    expect(namesImage({ images: 'api=1,localhost:5000/web:2' }, 'localhost:5000/web')).toBe(true);
    expect(namesImage({ images: { 'registry:5000/api': '1' } }, 'registry:5000/api')).toBe(true);
    expect(namesImage({ images: { 'registry:5000/api': '1' }, image: 'web:1' }, 'registry:5000/worker')).toBe(false);
    expect(namesImage({}, 'api')).toBe(false);
  });
});

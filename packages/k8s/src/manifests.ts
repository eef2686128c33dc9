import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { basename, join } from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { UserError } from '@shipfleet/core';
import { describeRef, isPlainObject, K8sObject, ManifestObject } from './types';

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const MANIFEST_EXTENSIONS = /\.(ya?ml|json)$/i;

export type LoadedManifests =
  | { kind: 'files'; files: string[]; objects: ManifestObject[] }
  /** A kustomization folder: rendered at run time with `kubectl kustomize <dir>`. */
  | { kind: 'kustomize'; dir: string; kustomizationFile: string };

/** The kustomization file of a folder, if it has one. */
export function findKustomization(dir: string): string | undefined {
  for (const name of KUSTOMIZATION_FILES) {
    const file = join(dir, name);
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  return undefined;
}

/**
 * Parses multi-document YAML (or JSON) into objects. Empty documents are
 * skipped; `kind: List` is expanded into its items, as kubectl does. Every
 * object needs apiVersion, kind and metadata.name.
 */
export function parseManifests(text: string, source: string, option = 'manifests'): ManifestObject[] {
  const out: ManifestObject[] = [];
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, index) => {
    const where = list.length > 1 ? `${source} (document ${index + 1})` : source;
    if (doc.errors.length) {
      throw new UserError(option, `${where} is not valid YAML: ${doc.errors[0].message.split('\n')[0]}`, 'Fix the YAML syntax (check indentation and quoting)');
    }
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (value === null || value === undefined) return;
    const push = (v: unknown, at: string) => {
      if (!isPlainObject(v)) throw new UserError(option, `${at} is not a Kubernetes object (a YAML mapping with apiVersion, kind and metadata)`, 'Each YAML document must be one object');
      if (v.kind === 'List' || (typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items))) {
        (v.items as unknown[] ?? []).forEach((item, i) => push(item, `${at} item ${i + 1}`));
        return;
      }
      if (typeof v.apiVersion !== 'string' || !v.apiVersion) throw new UserError(option, `${at} has no apiVersion`, 'Every object needs apiVersion (for example apps/v1) and kind');
      if (typeof v.kind !== 'string' || !v.kind) throw new UserError(option, `${at} has no kind`, 'Every object needs apiVersion and kind (for example Deployment)');
      const meta = v.metadata;
      if (!isPlainObject(meta) || typeof meta.name !== 'string' || !meta.name) {
        throw new UserError(option, `${at} (${v.kind}) has no metadata.name`, 'Server-side apply needs a name for every object (generateName is not supported)');
      }
      out.push({ object: v as K8sObject, source: at });
    };
    push(value, where);
  });
  return out;
}

/** Files of a folder that hold manifests, sorted by name (not recursive, as `kubectl apply -f <dir>`). */
function manifestFilesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && MANIFEST_EXTENSIONS.test(e.name) && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort()
    .map((name) => join(dir, name));
}

/**
 * Reads manifest files and folders (absolute paths). A folder with a
 * kustomization file is returned as such: it must be the only input, and
 * is rendered later by `kubectl kustomize`.
 */
export function loadManifests(paths: string[], option = 'manifests'): LoadedManifests {
  if (!paths.length) throw new UserError(option, 'is empty', 'List at least one manifest file or folder');
  const files: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new UserError(option, `${p} does not exist`, 'Point it at a manifest file, a folder of manifests, or a kustomization folder');
    const st = statSync(p);
    if (st.isDirectory()) {
      const kustomization = findKustomization(p);
      if (kustomization) {
        if (paths.length > 1) throw new UserError(option, `${p} is a kustomization, which must be the only entry`, 'List the other manifests under resources: in the kustomization instead');
        return { kind: 'kustomize', dir: p, kustomizationFile: kustomization };
      }
      const inDir = manifestFilesIn(p);
      if (!inDir.length) throw new UserError(option, `${p} holds no .yaml, .yml or .json files`, 'Point it at the folder that holds the manifests');
      files.push(...inDir);
    } else if (st.isFile()) {
      if (KUSTOMIZATION_FILES.includes(basename(p))) {
        if (paths.length > 1) throw new UserError(option, `${p} is a kustomization, which must be the only entry`, 'List the other manifests under resources: in the kustomization instead');
        return { kind: 'kustomize', dir: join(p, '..'), kustomizationFile: p };
      }
      files.push(p);
    } else {
      throw new UserError(option, `${p} is neither a file nor a folder`, 'Point it at a manifest file or folder');
    }
  }
  const objects = files.flatMap((file) => parseManifests(readFileSync(file, 'utf8'), file, option));
  if (!objects.length) throw new UserError(option, `no Kubernetes objects found in ${paths.join(', ')}`, 'The files hold only empty documents');
  checkDuplicates(objects, option);
  return { kind: 'files', files, objects };
}

export function checkDuplicates(objects: ManifestObject[], option = 'manifests'): void {
  const seen = new Map<string, string>();
  for (const { object, source } of objects) {
    const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
    const key = `${group}/${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    const first = seen.get(key);
    if (first) throw new UserError(option, `${describeRef(object, true)} is defined twice (${first} and ${source})`, 'Keep one definition of each object');
    seen.set(key, source);
  }
}

/** Objects as multi-document YAML, the way a reviewer reads them. */
export function renderYaml(objects: K8sObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}

// The pushed image, as container-image leaves it for the targets after it (k8s-deploy sets the
// image of matching containers to its digest). One small JSON file per project.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';

export interface ImageRecord {
  /** The image name as the options wrote it (what manifests write), e.g. registry.example.com/api. */
  name: string;
  /** registry/repository, normalised (docker.io/library/x). */
  repository: string;
  /** sha256:… of the pushed index or manifest. */
  digest: string;
  /** name@digest: what a Deployment should run. */
  image: string;
  tags: string[];
  /** When it was pushed (ISO 8601). */
  pushedAt: string;
}

/** Where a project's record lives: dist/<projectRoot>/container-image.json under the workspace root. */
export function imageRecordPath(workspaceRoot: string, projectRoot: string): string {
  return join(workspaceRoot, 'dist', projectRoot, 'container-image.json');
}

export function writeImageRecord(path: string, record: ImageRecord): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(record, null, 2) + '\n');
}

/** The record at `path`, undefined when there is none; a file that is not a record is an error naming it. */
export function readImageRecord(path: string): ImageRecord | undefined {
  if (!existsSync(path)) return undefined;
  let r: Partial<ImageRecord>;
  try {
    r = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new Error(`${path} is not JSON: delete it, or run container-image again`);
  }
  if (typeof r?.name !== 'string' || typeof r.digest !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(r.digest)) {
    throw new Error(`${path} is not an image record of container-image (name and sha256 digest): delete it, or run container-image again`);
  }
  return r as ImageRecord;
}

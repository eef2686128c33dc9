import { consoleLogger } from '@shipfleet/core';
import { ImageRecord, imageRecordPath, readImageRecord } from '@shipfleet/container';

/**
 * The image container-image last pushed for this project (dist/<projectRoot>/container-image.json),
 * as an `images` entry for k8s-deploy: name → digest. An image the options name themselves wins:
 * the record is what was built, the options what was asked for.
 */
export function pushedImage(workspaceRoot: string, projectRoot: string, named: (name: string) => boolean): { name: string; digest: string; record: ImageRecord } | undefined {
  const path = imageRecordPath(workspaceRoot, projectRoot);
  const record = readImageRecord(path);
  if (!record) return undefined;
  if (named(record.name)) {
    consoleLogger.info(`${record.name}: the options name it, so ${record.digest.slice(0, 19)}… pushed by container-image (${path}) is not used`);
    return undefined;
  }
  consoleLogger.info(`${record.name} → ${record.digest} (pushed by container-image ${record.pushedAt}; ${path})`);
  return { name: record.name, digest: record.digest, record };
}

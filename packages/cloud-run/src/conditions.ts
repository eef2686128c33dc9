// Why a revision does not serve, in words, with where to read its logs.
import { CloudRunRevision, Condition } from './client';
import { shortName } from './names';

/** What a condition's reason means, and what to do about it. */
const REASONS: Record<string, { what: string; fix: string }> = {
  CONTAINER_MISSING: { what: 'the image was not found', fix: 'Check the image reference (registry, repository, digest) and that the push succeeded' },
  CONTAINER_PERMISSION_DENIED: { what: 'Cloud Run was denied permission to pull the image', fix: 'Grant the Cloud Run service agent (service-<project number>@serverless-robot-prod.iam.gserviceaccount.com) roles/artifactregistry.reader on the repository' },
  CONTAINER_IMAGE_UNAUTHORIZED: { what: 'the image is not authorized by the Binary Authorization policy', fix: 'Attest the image, or change the policy' },
  SECRETS_ACCESS_CHECK_FAILED: { what: 'the revision may not read one of its secrets', fix: 'Grant the revision\'s service account roles/secretmanager.secretAccessor on each secret it references' },
  HEALTH_CHECK_CONTAINER_ERROR: { what: 'the container failed to start and listen on the port', fix: 'Make the server listen on 0.0.0.0:$PORT (the "port" option), and read the logs for a crash at start-up' },
  ACTIVE_REVISION_LIMIT_REACHED: { what: 'the service has too many revisions taking traffic or tagged', fix: 'Remove tags or traffic from old revisions' },
};

/** The console's logs of one revision (Cloud Run's own logUri when the revision has one). */
export function revisionLogsUrl(project: string, region: string, service: string, revision: string, logUri?: string): string {
  if (logUri) return logUri;
  const filter = `resource.type = "cloud_run_revision"\nresource.labels.service_name = "${service}"\nresource.labels.location = "${region}"\nresource.labels.revision_name = "${revision}"`;
  return `https://console.cloud.google.com/logs/viewer?project=${encodeURIComponent(project)}&resource=cloud_run_revision/service_name/${service}/revision_name/${revision}&advancedFilter=${encodeURIComponent(filter)}`;
}

/** The failed condition that says most: Ready, else the first failed one. */
export function failedCondition(revision: CloudRunRevision): Condition | undefined {
  const failed = (revision.conditions ?? []).filter((c) => c.state === 'CONDITION_FAILED');
  return failed.find((c) => c.type === 'Ready' && (c.reason || c.revisionReason)) ?? failed.find((c) => c.reason || c.revisionReason) ?? failed[0];
}

/**
 * "revision web-1-4-0 cannot serve: the image was not found (CONTAINER_MISSING). Cloud Run says:
 * Image '…' not found. Check the image reference … Logs: https://console.cloud.google.com/…".
 * Undefined when the revision has no failed condition.
 */
export function explainRevisionFailure(revision: CloudRunRevision, where: { project: string; region: string; service: string }): string | undefined {
  const c = failedCondition(revision);
  if (!c) return undefined;
  const name = shortName(revision.name);
  const reason = c.revisionReason ?? c.reason;
  const known = reason ? REASONS[reason] : undefined;
  // Cloud Run appends its own "Logs URL: …" to some messages; the URL is given once, at the end.
  const said = (c.message ?? '').replace(/\s*Logs URL:\s*\S+\s*$/s, '').replace(/\s+/g, ' ').trim();
  const what = known ? `${known.what}${reason ? ` (${reason})` : ''}` : `${c.type ?? 'a condition'} failed${reason ? ` (${reason})` : ''}`;
  const logs = revisionLogsUrl(where.project, where.region, where.service, name, revision.logUri);
  return `revision ${name} cannot serve: ${what}.${said ? ` Cloud Run says: ${said}` : ''}${known ? ` ${known.fix}.` : ''} Logs: ${logs}`;
}

// How a revision of an image behaves, chosen by the image's name (as tools/k8s-api's kubelet does):
// an entry of the stand-in's `images` map, else the tag, else the last path segment, else healthy.

export type ImageBehaviour = 'healthy' | 'crash' | 'slow' | 'missing' | 'error' | 'denied';

const BEHAVIOURS: readonly ImageBehaviour[] = ['healthy', 'crash', 'slow', 'missing', 'error', 'denied'];

const isBehaviour = (s: string | undefined): s is ImageBehaviour => !!s && (BEHAVIOURS as readonly string[]).includes(s);

/** "reg/app:crash", "reg/crash@sha256:…", "reg/app:slow@sha256:…" → the behaviour they name. */
export function imageBehaviour(image: string, images: Record<string, ImageBehaviour> = {}): ImageBehaviour {
  if (images[image]) return images[image];
  const withoutDigest = image.split('@')[0];
  if (images[withoutDigest]) return images[withoutDigest];
  const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const [name, tag] = lastSegment.split(':');
  if (isBehaviour(tag)) return tag;
  if (isBehaviour(name)) return name;
  return 'healthy';
}

/** The Ready condition of a revision that cannot serve, as Cloud Run words it. */
export function revisionFailure(behaviour: ImageBehaviour, image: string, port: number, logUri: string): { reason: string; reasonField: 'reason' | 'revisionReason'; message: string } | undefined {
  switch (behaviour) {
    case 'crash':
      return {
        reasonField: 'revisionReason',
        reason: 'HEALTH_CHECK_CONTAINER_ERROR',
        message: `The user-provided container failed to start and listen on the port defined provided by the PORT=${port} environment variable within the allocated timeout. This can happen when the container port is misconfigured or if the timeout is too short. The health check timeout can be extended. Logs for this revision might contain more information.\n\nLogs URL: ${logUri}`,
      };
    case 'missing':
      return { reasonField: 'reason', reason: 'CONTAINER_MISSING', message: `Image '${image}' not found.` };
    case 'denied':
      return {
        reasonField: 'reason',
        reason: 'CONTAINER_PERMISSION_DENIED',
        message: `Google Cloud Run Service Agent service-123456789012@serverless-robot-prod.iam.gserviceaccount.com must have permission to read the image, ${image}. Ensure that the provided container image URL is correct and that the above account has permission to access the image. If you just enabled the Cloud Run API, the permissions might take a few minutes to propagate.`,
      };
    default:
      return undefined;
  }
}

/** `deployment.apps/api`, kubectl's name for an object in its output. */
export function kubectlName(obj: { apiVersion: string; kind: string; name?: string; metadata?: { name?: string } }): string {
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  return `${obj.kind.toLowerCase()}${group ? `.${group}` : ''}/${obj.name ?? obj.metadata?.name}`;
}

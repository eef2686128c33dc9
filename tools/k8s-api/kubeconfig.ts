/** A kubeconfig for the stand-in at `server`: one cluster, one context, the bearer token. */
export function kubeconfigText(o: { server: string; token: string; context?: string; namespace?: string; user?: string }): string {
  const { context = 'stand-in', namespace, user = 'stand-in-user' } = o;
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: stand-in',
    '  cluster:',
    `    server: ${o.server}`,
    // Plain HTTP: client libraries refuse http:// servers unless TLS verification is explicitly off.
    '    insecure-skip-tls-verify: true',
    'contexts:',
    `- name: ${context}`,
    '  context:',
    '    cluster: stand-in',
    `    user: ${user}`,
    ...(namespace ? [`    namespace: ${namespace}`] : []),
    `current-context: ${context}`,
    'users:',
    `- name: ${user}`,
    '  user:',
    `    token: ${o.token}`,
    '',
  ].join('\n');
}

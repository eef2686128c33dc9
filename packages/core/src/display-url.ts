/**
 * A URL as it may appear in a message: scheme, host and path only. User name,
 * password, query and fragment are dropped (they may carry credentials). Also
 * works on text that does not parse as a URL.
 */
export function displayUrl(url: string | URL): string {
  try {
    const u = typeof url === 'string' ? new URL(url) : url;
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return String(url)
      .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1')
      .replace(/[?#].*$/s, '');
  }
}

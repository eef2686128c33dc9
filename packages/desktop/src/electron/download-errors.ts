import { UserError } from '@shipfleet/core';

/** Error codes and messages of a download that could not reach its server. */
const UNREACHABLE = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ESOCKETTIMEDOUT|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_HAS_EXPIRED)\b|Response code (4|5)\d\d|HTTPError|socket hang up/;

/** The URLs, codes and messages of an error and the errors it wraps (got's RequestError keeps the URL in options.url). */
function collect(err: unknown, seen = new Set<unknown>()): { urls: string[]; texts: string[] } {
  const out = { urls: [] as string[], texts: [] as string[] };
  if (!err || typeof err !== 'object' || seen.has(err)) return out;
  seen.add(err);
  const e = err as Record<string, unknown>;
  const url = (e.options as { url?: unknown } | undefined)?.url ?? (e.request as { requestUrl?: unknown } | undefined)?.requestUrl;
  if (url) out.urls.push(String(url));
  if (typeof e.message === 'string') {
    out.texts.push(e.message);
    out.urls.push(...(e.message.match(/https?:\/\/[^\s"'<>]+/g) ?? []));
  }
  if (typeof e.code === 'string') out.texts.push(e.code);
  for (const inner of [e.cause, e.error, ...(Array.isArray(e.errors) ? e.errors : [])]) {
    const c = collect(inner, seen);
    out.urls.push(...c.urls);
    out.texts.push(...c.texts);
  }
  return out;
}

function reason(texts: string[]): string {
  const text = texts.join('\n');
  const m = UNREACHABLE.exec(text);
  const host = /(?:ENOTFOUND|EAI_AGAIN)\s+(\S+)/.exec(text)?.[1];
  return host ? `${m![0]} ${host}` : m![0];
}

/**
 * When electron-builder failed because a download could not be made, a UserError that says what it
 * was fetching and which option makes it local; otherwise undefined.
 */
export function explainDownloadError(err: unknown, context: { electronVersion?: string } = {}): UserError | undefined {
  const { urls, texts } = collect(err);
  if (!texts.some((t) => UNREACHABLE.test(t))) return undefined;
  const why = reason(texts);
  const url = urls.find((u) => /electron-v[^/]+\.zip|electron-builder-binaries|\/electron\//.test(u)) ?? urls[0];
  const file = url ? decodeURIComponent(url.split('?')[0].split('/').pop() ?? '') : undefined;
  const from = url ? (() => { try { return new URL(url).host; } catch { return undefined; } })() : undefined;
  const what = file ? `${file}${from ? ` from ${from}` : ''}` : 'a file it needs';

  if (file && /^electron-v.+\.zip$/.test(file)) {
    return new UserError('electronDist', `electron-builder could not download Electron (${what}: ${why})`, `Set "electronDist" to a local Electron (an unpacked Electron folder, or a folder holding ${file}) with "electronVersion"${context.electronVersion ? ` (${context.electronVersion})` : ''}, or "electronMirror" (or ELECTRON_MIRROR) to a mirror this machine can reach`);
  }
  if (file && /^7zip-/.test(file)) {
    return new UserError('sevenZipPath', `electron-builder could not download its 7-Zip (${what}: ${why})`, 'Set "sevenZipPath" to a 7za executable (the system\'s /usr/bin/7za, or 7zip-bin\'s made executable), "binariesMirror" to a mirror of electron-builder-binaries, or "cacheDir" to a cache seeded with it');
  }
  if (file) {
    return new UserError('binariesMirror', `electron-builder could not download a tool (${what}: ${why})`, `Set "binariesMirror" (ELECTRON_BUILDER_BINARIES_MIRROR) to a mirror this machine can reach, or "cacheDir" (ELECTRON_BUILDER_CACHE) to a cache holding ${file}`);
  }
  return new UserError('electronDist', `electron-builder could not download a file it needs (${why})`, 'For Electron set "electronDist" and "electronVersion" (or "electronMirror"); for 7-Zip "sevenZipPath"; for other tools "binariesMirror" or a seeded "cacheDir"');
}

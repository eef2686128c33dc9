// Errors as Google's JSON APIs send them:
// {"error": {"code", "message", "errors": [{"message", "domain", "reason"}], "status"}}.
import { ServerResponse } from 'http';

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  410: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export class GoogleApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason: string,
    readonly domain = 'global',
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): unknown {
    return {
      error: {
        code: this.code,
        message: this.message,
        errors: [{ message: this.message, domain: this.domain, reason: this.reason }],
        status: STATUS_NAMES[this.code] ?? 'UNKNOWN',
      },
    };
  }
}

export const badRequest = (message: string, reason = 'badRequest', domain = 'global') => new GoogleApiError(400, message, reason, domain);
export const notFound = (message: string, reason = 'notFound', domain = 'global') => new GoogleApiError(404, message, reason, domain);
export const forbidden = (message: string, reason: string, domain = 'androidpublisher') => new GoogleApiError(403, message, reason, domain);

/** The answer to a request without (or with an unknown) access token. */
export function unauthenticated(hasToken: boolean): GoogleApiError {
  return hasToken
    ? new GoogleApiError(
        401,
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
        'authError',
        'global',
        { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
      )
    : new GoogleApiError(
        401,
        'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
        'required',
        'global',
        { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' },
      );
}

export const callerHasNoPermission = () => new GoogleApiError(403, 'The caller does not have permission', 'forbidden');
export const insufficientScopes = () =>
  new GoogleApiError(403, 'Request had insufficient authentication scopes.', 'insufficientPermissions', 'global', {
    'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="https://www.googleapis.com/auth/androidpublisher"',
  });
export const tooManyRequests = () =>
  new GoogleApiError(429, 'Quota exceeded for quota metric \'Queries\' and limit \'Queries per minute\' of service \'androidpublisher.googleapis.com\'.', 'rateLimitExceeded', 'global', { 'retry-after': '1' });

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, e: GoogleApiError): void {
  sendJson(res, e.code, e.body(), e.headers);
}

import { AuthClient, ExternalAccountClient, GoogleAuth, JWT } from 'google-auth-library';
import { errorMessage, isMaskable, isPlainObject, Redactor } from '@shipfleet/core';
import { ANDROID_PUBLISHER_SCOPE, PlayCredentials, readSubjectToken } from './credentials';

/** Where google-auth-library sends a service account's JWT grant, whatever the key file's token_uri says. */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/** Gives a valid access token for each API call (the library caches it and refreshes it before it expires). */
export interface AccessTokenProvider {
  accessToken(): Promise<string>;
}

export interface AuthOptions {
  /** Where a service account's JWT grant goes (default Google's token URL); also the JWT's audience. */
  tokenUrl?: string;
  /** Told every credential learnt while running (access tokens, subject tokens): mask it from then on. */
  onSecret: (value: string) => void;
  /** The OAuth scope the tokens are for (default the Play Developer API's). */
  scope?: string;
  /** The API the tokens are for, in messages (default the Google Play Developer API). */
  api?: string;
}

/** Thrown when no access token could be had: says from where, and Google's answer, masked. */
export class PlayAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlayAuthError';
  }
}

// Fields of token answers that hold credentials: access_token, id_token, the subject token's "value"…
const SECRET_FIELD = /token|value|secret|assertion/i;

function secretFields(data: unknown, found: string[] = [], depth = 0): string[] {
  if (typeof data === 'string') {
    if (isMaskable(data)) found.push(data.trim());
  } else if (isPlainObject(data) && depth < 3) {
    for (const [key, value] of Object.entries(data)) {
      if (typeof value === 'string' && SECRET_FIELD.test(key) && isMaskable(value)) found.push(value);
      else if (isPlainObject(value)) secretFields(value, found, depth + 1);
    }
  }
  return found;
}

/** Every answer the library's own HTTP client gets is searched for credentials, which are masked before anything could print them. */
function watchAnswers(client: AuthClient, onSecret: (value: string) => void): void {
  client.transporter.interceptors.response.add({
    resolved: async (response) => {
      for (const value of secretFields(response.data)) onSecret(value);
      return response;
    },
  });
}

type Transporter = AuthClient['transporter'];

/**
 * Has the library's HTTP clients use Node's own fetch. Left alone, gaxios
 * loads node-fetch with a dynamic import(), which is needless on Node 20 and
 * fails where dynamic imports are not available (a VM context such as jest's).
 * The STS client of an external account has a transporter of its own.
 */
function useNodeFetch(client: AuthClient): void {
  const transporters: (Transporter | undefined)[] = [client.transporter, (client as unknown as { stsCredential?: { transporter?: Transporter } }).stsCredential?.transporter];
  for (const t of transporters) if (t) t.defaults.fetchImplementation ??= fetch;
}

/** Sends the JWT grant to `tokenUrl` instead of Google's token URL (private endpoints, stand-ins). */
function redirectTokenRequests(client: AuthClient, tokenUrl: string): void {
  client.transporter.interceptors.request.add({
    resolved: async (config) => {
      if (config.url !== undefined && String(config.url) === GOOGLE_TOKEN_URL) config.url = new URL(tokenUrl);
      return config;
    },
  });
}

function makeClient(c: PlayCredentials, o: AuthOptions): () => Promise<AuthClient> {
  const scope = o.scope ?? ANDROID_PUBLISHER_SCOPE;
  switch (c.kind) {
    case 'service-account': {
      // The grant's audience is the URL it is sent to; the library would write Google's.
      const tokenUrl = o.tokenUrl ?? GOOGLE_TOKEN_URL;
      const jwt = new JWT({ email: c.clientEmail, key: c.privateKey, keyId: c.privateKeyId, scopes: [scope], additionalClaims: { aud: tokenUrl } });
      if (tokenUrl !== GOOGLE_TOKEN_URL) redirectTokenRequests(jwt, tokenUrl);
      return async () => jwt;
    }
    case 'external-account': {
      const client = ExternalAccountClient.fromJSON({ ...(c.config as unknown as Parameters<typeof ExternalAccountClient.fromJSON>[0]), scopes: [scope] });
      if (!client) throw new PlayAuthError(`the external_account configuration from ${c.source} is not one the Google auth library can use`);
      return async () => {
        // The OIDC token is read by the library each time; mask what the file holds now.
        const subject = readSubjectToken(c);
        if (subject) for (const value of secretFields(subject.startsWith('{') ? safeJson(subject) ?? subject : subject)) o.onSecret(value);
        if (subject && isMaskable(subject)) o.onSecret(subject);
        return client;
      };
    }
    case 'application-default':
    case 'missing': {
      const auth = new GoogleAuth({ scopes: [scope], clientOptions: { transporterOptions: { fetchImplementation: fetch } } });
      return () => auth.getClient() as Promise<AuthClient>;
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What went wrong, from a library error: Google's error and description when it sent them. */
function authFailure(err: unknown): string {
  const data = (err as { response?: { data?: unknown; status?: number } })?.response;
  if (data && isPlainObject(data.data)) {
    const { error, error_description: description } = data.data as Record<string, unknown>;
    const code = isPlainObject(error) ? error.status ?? error.message : error;
    if (typeof code === 'string') return `${data.status ?? ''} ${code}${typeof description === 'string' ? `: ${description}` : ''}`.trim();
  }
  return errorMessage(err).split('\n')[0];
}

/**
 * Access tokens for the Play Developer API (or, with `scope`, another Google API) through google-auth-library.
 * Each token it hands out (and every credential seen in the library's token
 * answers) is passed to `onSecret` before it is used.
 */
export function createAccessTokenProvider(credentials: PlayCredentials, options: AuthOptions): AccessTokenProvider {
  const seen = new Set<string>();
  const mask = (value: string) => {
    if (seen.has(value)) return;
    seen.add(value);
    options.onSecret(value);
  };
  let client: Promise<AuthClient> | undefined;
  const redactor = new Redactor(credentials.secrets);
  return {
    async accessToken() {
      if (credentials.kind === 'missing' && !credentials.tryMetadataServer) {
        throw new PlayAuthError(`no Google credentials: ${credentials.envName} is not set. Set it to the service-account key JSON (or its base64), or to an external_account configuration for workload identity federation; or give credentialsFile`);
      }
      try {
        client ??= makeClient(credentials, { ...options, onSecret: mask })().then((c) => {
          useNodeFetch(c);
          watchAnswers(c, mask);
          return c;
        });
        const { token } = await (await client).getAccessToken();
        if (!token) throw new Error('the library returned no access token');
        mask(token);
        return token;
      } catch (err) {
        client = undefined;
        if (err instanceof PlayAuthError) throw err;
        const where = credentials.kind === 'missing' ? `${credentials.envName} is not set, and no application default credentials were found` : `with the credentials from ${credentials.source}`;
        throw new PlayAuthError(redactor.redact(`could not get an access token for ${options.api ?? 'the Google Play Developer API'} ${where}: ${authFailure(err)}`));
      }
    },
  };
}

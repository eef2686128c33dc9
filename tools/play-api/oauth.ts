// Google's token endpoints as the Play API's clients meet them: the OAuth 2.0
// JWT-bearer grant of a service account (RFC 7523; the assertion is an RS256
// JWT signed with the key of the service-account JSON file) and the Security
// Token Service exchange of workload identity federation (RFC 8693).
import { createPublicKey, generateKeyPairSync, KeyObject, randomBytes, verify } from 'crypto';

export const PLAY_SCOPE = 'https://www.googleapis.com/auth/androidpublisher';
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const SUBJECT_TOKEN_TYPES = ['urn:ietf:params:oauth:token-type:jwt', 'urn:ietf:params:oauth:token-type:id_token'];

/** An OAuth error body: {"error", "error_description"}, status 400 unless told. */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
  body() {
    return { error: this.error, error_description: this.description };
  }
}

export interface IssuedToken {
  scopes: string[];
  expiresAt: number;
  via: 'service_account' | 'external_account';
}

const b64url = (buf: Buffer) => buf.toString('base64url');
const randomToken = (prefix: string, bytes = 48) => `${prefix}${b64url(randomBytes(bytes))}`;

export class TokenAuthority {
  readonly clientEmail = 'play-publisher@shipfleet-stand-in.iam.gserviceaccount.com';
  readonly privateKeyId = randomBytes(20).toString('hex');
  readonly clientId = String(100000000000000000000n + BigInt('0x' + randomBytes(8).toString('hex')));
  readonly audience = '//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/shipfleet-ci/providers/ci-oidc';
  readonly oidcToken: string;
  readonly tokens = new Map<string, IssuedToken>();
  /** In issue order, for tests that search outputs for them. */
  readonly issued: string[] = [];
  private readonly privateKeyPem: string;
  private readonly publicKey: KeyObject;

  constructor(private readonly tokenUrl: string) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    this.publicKey = createPublicKey(publicKey.export({ type: 'spki', format: 'pem' }));
    const now = Math.floor(Date.now() / 1000);
    // Shaped like a CI provider's OIDC ID token (header.payload.signature).
    this.oidcToken = [
      b64url(Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: randomBytes(8).toString('hex') }))),
      b64url(Buffer.from(JSON.stringify({ iss: 'https://ci.example.com', sub: 'repo:acme/app:ref:refs/heads/main', aud: this.audience, iat: now, exp: now + 3600, jti: randomBytes(12).toString('hex') }))),
      b64url(randomBytes(256)),
    ].join('.');
  }

  serviceAccountKey(): Record<string, string> {
    return {
      type: 'service_account',
      project_id: 'shipfleet-stand-in',
      private_key_id: this.privateKeyId,
      private_key: this.privateKeyPem,
      client_email: this.clientEmail,
      client_id: this.clientId,
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: GOOGLE_TOKEN_URL,
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(this.clientEmail)}`,
      universe_domain: 'googleapis.com',
    };
  }

  externalAccountConfig(stsUrl: string, subjectTokenFile: string): Record<string, unknown> {
    return {
      type: 'external_account',
      audience: this.audience,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: stsUrl,
      credential_source: { file: subjectTokenFile },
    };
  }

  private issue(scopes: string[], via: IssuedToken['via']): { token: string; expiresIn: number } {
    const token = randomToken('ya29.');
    const expiresIn = 3599;
    this.tokens.set(token, { scopes, expiresAt: Date.now() + expiresIn * 1000, via });
    this.issued.push(token);
    return { token, expiresIn };
  }

  /** The token an `Authorization: Bearer …` header carries, if it was issued and is still valid. */
  lookup(token: string): IssuedToken | undefined {
    const t = this.tokens.get(token);
    return t && t.expiresAt > Date.now() ? t : undefined;
  }

  /** POST /token (form: grant_type, assertion). */
  jwtBearerGrant(form: URLSearchParams): Record<string, unknown> {
    const grantType = form.get('grant_type');
    if (grantType !== JWT_BEARER) throw new OAuthError('unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
    const assertion = form.get('assertion');
    if (!assertion) throw new OAuthError('invalid_request', 'Missing required parameter: assertion');
    const parts = assertion.split('.');
    if (parts.length !== 3) throw new OAuthError('invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.');
    let header: { alg?: string; kid?: string };
    let claims: { iss?: string; aud?: string; scope?: string; exp?: number; iat?: number };
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      throw new OAuthError('invalid_grant', 'Invalid JWT.');
    }
    if (header.alg !== 'RS256') throw new OAuthError('invalid_grant', `Invalid JWT: unsupported signing algorithm ${String(header.alg)}.`);
    if (header.kid !== undefined && header.kid !== this.privateKeyId) throw new OAuthError('invalid_grant', 'Invalid JWT Signature.');
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
    if (!verify('RSA-SHA256', signed, this.publicKey, Buffer.from(parts[2], 'base64url'))) throw new OAuthError('invalid_grant', 'Invalid JWT Signature.');
    if (claims.iss !== this.clientEmail) throw new OAuthError('invalid_grant', 'Invalid grant: account not found');
    // google-auth-library always signs for Google's token URL, whatever URL it posts to.
    if (claims.aud !== GOOGLE_TOKEN_URL && claims.aud !== this.tokenUrl) throw new OAuthError('invalid_grant', `Invalid JWT: Failed audience check. The right audience is ${GOOGLE_TOKEN_URL}`);
    const now = Math.floor(Date.now() / 1000);
    const skew = 300;
    if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number' || claims.exp <= now - skew || claims.iat > now + skew || claims.exp - claims.iat > 3600 || claims.exp <= claims.iat)
      throw new OAuthError('invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.');
    const scopes = (claims.scope ?? '').split(/\s+/).filter(Boolean);
    if (scopes.length === 0) throw new OAuthError('invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    const { token, expiresIn } = this.issue(scopes, 'service_account');
    return { access_token: token, expires_in: expiresIn, token_type: 'Bearer' };
  }

  /** POST /v1/token (form or JSON: grant_type, audience, scope, requested_token_type, subject_token, subject_token_type). */
  tokenExchange(form: URLSearchParams): Record<string, unknown> {
    const grantType = form.get('grant_type');
    if (grantType !== TOKEN_EXCHANGE) throw new OAuthError('unsupported_grant_type', `Invalid value for "grant_type": ${grantType ?? ''}`);
    const requested = form.get('requested_token_type');
    if (requested !== ACCESS_TOKEN_TYPE) throw new OAuthError('invalid_request', `Invalid value for "requested_token_type": ${requested ?? ''}`);
    const subjectType = form.get('subject_token_type') ?? '';
    if (!SUBJECT_TOKEN_TYPES.includes(subjectType)) throw new OAuthError('invalid_request', `Invalid value for "subject_token_type": ${subjectType}`);
    if (form.get('audience') !== this.audience) throw new OAuthError('invalid_target', 'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.');
    const subject = form.get('subject_token');
    if (!subject) throw new OAuthError('invalid_request', 'Missing required parameter: subject_token');
    if (subject !== this.oidcToken) throw new OAuthError('invalid_grant', 'The ID Token could not be verified: the signature or the issuer does not match the workload identity pool provider.');
    const scopes = (form.get('scope') ?? 'https://www.googleapis.com/auth/cloud-platform').split(/\s+/).filter(Boolean);
    const { token, expiresIn } = this.issue(scopes, 'external_account');
    return { access_token: token, issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer', expires_in: expiresIn };
  }
}

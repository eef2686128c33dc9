// A Docker registry token server (the "Token Authentication Specification" of distribution):
// GET <realm>?service=…&scope=repository:<name>:pull,push[&scope=…] with HTTP Basic credentials,
// answers {"token", "access_token", "expires_in", "issued_at"}: a JWT signed RS256 whose x5c header
// carries the signing certificate, which the registry trusts through auth.token.rootcertbundle.
import { createSign, randomUUID } from 'crypto';
import { readFileSync } from 'fs';
import { createServer, Server } from 'https';
import { AddressInfo } from 'net';

export interface TokenRequest {
  account?: string;
  service?: string;
  scopes: string[];
  /** Basic credentials were given and wrong. */
  refused: boolean;
}

export interface TokenServer {
  /** https://127.0.0.1:<port>/token */
  realm: string;
  requests: TokenRequest[];
  close(): Promise<void>;
}

export interface TokenServerOptions {
  certFile: string;
  keyFile: string;
  signingKeyFile: string;
  signingCertFile: string;
  issuer: string;
  users: Record<string, string>;
  /** Lifetime of a token (default 300 s). */
  expiresIn?: number;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

function derOfPem(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

/** `repository:name:pull,push` → the access entry; other resource types are granted nothing. */
function accessFor(scope: string, account: string | undefined) {
  const m = /^(repository):([^:]+):(.*)$/.exec(scope);
  if (!m || !account) return undefined;
  const actions = m[3].split(',').filter((a) => a === 'pull' || a === 'push' || a === '*');
  return { type: m[1], name: m[2], actions };
}

export async function startTokenServer(o: TokenServerOptions): Promise<TokenServer> {
  const signingKey = readFileSync(o.signingKeyFile, 'utf8');
  const x5c = [derOfPem(readFileSync(o.signingCertFile, 'utf8'))];
  const requests: TokenRequest[] = [];
  const server: Server = createServer({ cert: readFileSync(o.certFile), key: readFileSync(o.keyFile) }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    if (url.pathname !== '/token') {
      res.writeHead(404).end();
      return;
    }
    let account: string | undefined;
    let refused = false;
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const [user, ...rest] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      if (o.users[user] !== undefined && o.users[user] === rest.join(':')) account = user;
      else refused = true;
    }
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
    requests.push({ account, service: url.searchParams.get('service') ?? undefined, scopes, refused });
    if (refused) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ details: 'incorrect username or password' }));
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = o.expiresIn ?? 300;
    const claims = {
      iss: o.issuer,
      sub: account ?? '',
      aud: url.searchParams.get('service') ?? '',
      exp: now + expiresIn,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access: scopes.map((s) => accessFor(s, account)).filter(Boolean),
    };
    const signingInput = `${b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c }))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(signingKey);
    const token = `${signingInput}.${b64url(signature)}`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: expiresIn, issued_at: new Date(now * 1000).toISOString() }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    realm: `https://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
    requests,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

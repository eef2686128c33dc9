import { createPrivateKey, generateKeyPairSync, sign } from 'crypto';
import { spawn } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { AuthClient, ExternalAccountClient, JWT } from 'google-auth-library';
import { tmpdir } from 'os';
import { join } from 'path';
import { CHUNK_GRANULARITY, PlayApiOptions, PlayApiStandIn, startPlayApi } from './server';
import { apkFixture, bundleFixture, protoBundleFixture, storedZip } from './test-artefacts';

const SCOPE = 'https://www.googleapis.com/auth/androidpublisher';
const PKG = 'com.acme.app';

/**
 * gaxios would load node-fetch with a dynamic import(), which jest's VM
 * context refuses; an external account's STS client has a gaxios of its own.
 */
function useNodeFetch<T extends AuthClient>(client: T): T {
  const sts = (client as unknown as { stsCredential?: { transporter?: AuthClient['transporter'] } }).stsCredential;
  for (const t of [client.transporter, sts?.transporter]) if (t) t.defaults.fetchImplementation = fetch;
  return client;
}

/** A service-account JWT client whose grant goes to the stand-in (see README: the library's token URL is a constant). */
function jwtClient(play: PlayApiStandIn, overrides: { key?: string; scopes?: string[] } = {}): JWT {
  const key = play.serviceAccountKey();
  const jwt = new JWT({ email: key.client_email, key: overrides.key ?? key.private_key, keyId: key.private_key_id, scopes: overrides.scopes ?? [SCOPE] });
  useNodeFetch(jwt);
  jwt.transporter.interceptors.request.add({
    resolved: async (config) => {
      if (String(config.url) === 'https://oauth2.googleapis.com/token') config.url = new URL(play.tokenUrl);
      return config;
    },
  });
  return jwt;
}

interface Answer {
  status: number;
  headers: Headers;
  json: any;
}

class Client {
  constructor(
    readonly play: PlayApiStandIn,
    readonly token: string,
    readonly pkg = PKG,
  ) {}
  get api() {
    return `${this.play.url}/androidpublisher/v3/applications/${this.pkg}`;
  }
  get uploads() {
    return `${this.play.url}/upload/androidpublisher/v3/applications/${this.pkg}`;
  }
  async call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const raw = body === undefined || Buffer.isBuffer(body);
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: { authorization: `Bearer ${this.token}`, ...(raw ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : raw ? (body as Buffer) : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
  }
  async newEdit(): Promise<string> {
    const r = await this.call('POST', `${this.api}/edits`);
    expect(r.status).toBe(200);
    return r.json.id;
  }
  upload(editId: string, kind: 'bundles' | 'apks', file: Buffer) {
    return this.call('POST', `${this.uploads}/edits/${editId}/${kind}?uploadType=media`, file);
  }
  putTrack(editId: string, track: string, body: unknown) {
    return this.call('PUT', `${this.api}/edits/${editId}/tracks/${encodeURIComponent(track)}`, body);
  }
  commit(editId: string, notSentForReview?: boolean) {
    return this.call('POST', `${this.api}/edits/${editId}:commit${notSentForReview ? '?changesNotSentForReview=true' : ''}`);
  }
}

describe('Play Developer API stand-in', () => {
  let play: PlayApiStandIn;
  let running: PlayApiStandIn | undefined;
  let client: Client;
  let dir: string;

  async function start(options: PlayApiOptions = {}): Promise<void> {
    play = running = await startPlayApi(options);
    const { token } = await jwtClient(play).getAccessToken();
    client = new Client(play, token!);
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shipfleet-play-api-'));
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  describe('credentials', () => {
    it('grants a token to a JWT signed by google-auth-library with the service-account key, and the API takes it', async () => {
      await start();
      const key = play.serviceAccountKey();
      expect(key).toMatchObject({ type: 'service_account', token_uri: 'https://oauth2.googleapis.com/token' });
      expect(key.private_key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      expect(play.accessTokens).toEqual([client.token]);
      expect(client.token).toMatch(/^ya29\./);
      expect((await client.call('POST', `${client.api}/edits`)).status).toBe(200);
      expect(play.requests[0]).toMatchObject({ method: 'POST', path: '/token', status: 200 });
    });

    it('refuses a JWT signed with another key, and a call without or with an unknown token', async () => {
      await start();
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      await expect(jwtClient(play, { key: other }).getAccessToken()).rejects.toThrow(/invalid_grant: Invalid JWT Signature/);
      expect(play.accessTokens).toHaveLength(1);

      const none = await fetch(`${client.api}/edits`, { method: 'POST' });
      expect(none.status).toBe(401);
      expect(((await none.json()) as any).error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED' });
      const unknown = await new Client(play, 'ya29.not-issued').call('POST', `${client.api}/edits`);
      expect(unknown.status).toBe(401);
      expect(unknown.headers.get('www-authenticate')).toContain('invalid_token');
    });

    it('checks the issuer, the audience, the lifetime and the scope of the assertion', async () => {
      await start();
      const key = play.serviceAccountKey();
      const now = Math.floor(Date.now() / 1000);
      const grant = async (claims: Record<string, unknown>) => {
        const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const head = `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc(claims)}`;
        const jws = `${head}.${sign('RSA-SHA256', Buffer.from(head), createPrivateKey(key.private_key)).toString('base64url')}`;
        const res = await fetch(play.tokenUrl, { method: 'POST', body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jws }) });
        return { status: res.status, json: (await res.json()) as any };
      };
      const good = { iss: key.client_email, aud: 'https://oauth2.googleapis.com/token', scope: SCOPE, iat: now, exp: now + 3600 };
      expect((await grant(good)).status).toBe(200);
      expect((await grant({ ...good, aud: play.tokenUrl })).status).toBe(200);
      expect((await grant({ ...good, iss: 'someone@else.iam.gserviceaccount.com' })).json).toEqual({ error: 'invalid_grant', error_description: 'Invalid grant: account not found' });
      expect((await grant({ ...good, aud: 'https://example.com/token' })).json.error).toBe('invalid_grant');
      expect((await grant({ ...good, iat: now - 7200, exp: now - 3600 })).json.error_description).toMatch(/short-lived token/);
      expect((await grant({ ...good, exp: now + 7200 })).json.error_description).toMatch(/short-lived token/);
      expect((await grant({ ...good, scope: undefined })).json.error).toBe('invalid_scope');

      const other = await grant({ ...good, scope: 'https://www.googleapis.com/auth/cloud-platform' });
      expect(other.status).toBe(200);
      const r = await new Client(play, other.json.access_token).call('POST', `${client.api}/edits`);
      expect(r.status).toBe(403);
      expect(r.json.error.message).toBe('Request had insufficient authentication scopes.');
    });

    it('exchanges the configured OIDC token at the STS for an external_account client', async () => {
      await start();
      const subjectFile = join(dir, 'oidc-token');
      writeFileSync(subjectFile, play.oidcToken);
      const config = play.externalAccountConfig(subjectFile);
      expect(config).toMatchObject({ type: 'external_account', token_url: play.stsUrl, credential_source: { file: subjectFile } });
      const external = useNodeFetch(ExternalAccountClient.fromJSON({ ...(config as any), scopes: [SCOPE] })!);
      const { token } = await external.getAccessToken();
      expect(play.accessTokens).toContain(token);
      expect((await new Client(play, token!).call('POST', `${client.api}/edits`)).status).toBe(200);

      writeFileSync(subjectFile, 'not-the-oidc-token-the-provider-issued');
      const refused = useNodeFetch(ExternalAccountClient.fromJSON({ ...(config as any), scopes: [SCOPE] })!);
      await expect(refused.getAccessToken()).rejects.toThrow(/invalid_grant/);
    });
  });

  describe('edits', () => {
    it('answers an unknown package, an unknown edit and a spent edit as Play does', async () => {
      await start();
      const missing = await new Client(play, client.token, 'com.acme.other').call('POST', `${play.url}/androidpublisher/v3/applications/com.acme.other/edits`);
      expect(missing.status).toBe(404);
      expect(missing.json.error).toMatchObject({ code: 404, message: 'Package not found: com.acme.other.', status: 'NOT_FOUND' });
      expect((await client.call('GET', `${client.api}/edits/123`)).status).toBe(404);

      const id = await client.newEdit();
      const edit = await client.call('GET', `${client.api}/edits/${id}`);
      expect(edit.json).toEqual({ id, expiryTimeSeconds: expect.stringMatching(/^\d+$/) });
      expect((await client.commit(id)).status).toBe(200);
      const again = await client.call('GET', `${client.api}/edits/${id}`);
      expect(again.status).toBe(400);
      expect(again.json.error.errors[0]).toMatchObject({ reason: 'editAlreadyCommitted', message: 'This edit has already been successfully committed, please create a new Edit.' });

      const deleted = await client.newEdit();
      expect((await client.call('DELETE', `${client.api}/edits/${deleted}`)).status).toBe(204);
      const gone = await client.call('GET', `${client.api}/edits/${deleted}/tracks`);
      expect(gone.status).toBe(404);
      expect(gone.json.error).toMatchObject({ message: 'This Edit has been deleted.', errors: [{ reason: 'editDeleted' }] });
    });

    it('keeps an edit to itself until it is committed', async () => {
      await start();
      const a = await client.newEdit();
      const b = await client.newEdit();
      expect((await client.upload(a, 'bundles', bundleFixture(PKG, 10))).status).toBe(200);
      expect((await client.putTrack(a, 'internal', { track: 'internal', releases: [{ status: 'completed', versionCodes: ['10'] }] })).status).toBe(200);

      expect(play.app(PKG).bundles).toEqual([]);
      expect(play.app(PKG).tracks.internal.releases).toEqual([]);
      expect((await client.call('GET', `${client.api}/edits/${b}/bundles`)).json).toEqual({ kind: 'androidpublisher#bundlesListResponse' });
      expect((await client.call('GET', `${client.api}/edits/${b}/tracks/internal`)).json).toEqual({ track: 'internal' });
      expect((await client.call('GET', `${client.api}/edits/${a}/bundles`)).json.bundles).toHaveLength(1);

      expect((await client.commit(a)).status).toBe(200);
      expect(play.app(PKG).commits).toBe(1);
      expect(play.app(PKG).bundles.map((x) => x.versionCode)).toEqual([10]);
      expect(play.app(PKG).tracks.internal.releases).toEqual([{ status: 'completed', versionCodes: ['10'] }]);
      const c = await client.newEdit();
      expect((await client.call('GET', `${client.api}/edits/${c}/tracks/internal`)).json).toEqual({ track: 'internal', releases: [{ status: 'completed', versionCodes: ['10'] }] });
    });
  });

  describe('uploads', () => {
    it('reads the version code of a real APK with aapt and of a bundle from its manifest', async () => {
      await start();
      const id = await client.newEdit();
      const apk = apkFixture(dir, PKG, 41);
      const a = await client.upload(id, 'apks', apk);
      expect(a.status).toBe(200);
      expect(a.json).toEqual({ versionCode: 41, binary: { sha1: expect.stringMatching(/^[0-9a-f]{40}$/), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
      const b = await client.upload(id, 'bundles', bundleFixture(PKG, 42));
      expect(b.json).toMatchObject({ versionCode: 42 });
      const proto = await client.upload(id, 'bundles', protoBundleFixture(dir, PKG, 44));
      expect(proto.json).toMatchObject({ versionCode: 44 });
      expect((await client.call('GET', `${client.api}/edits/${id}/apks`)).json.apks).toEqual([a.json]);

      const wrong = await client.upload(id, 'bundles', bundleFixture('com.other.app', 43));
      expect(wrong.status).toBe(403);
      const broken = await client.upload(id, 'bundles', storedZip({ 'base/manifest/AndroidManifest.xml': '<manifest package="com.acme.app"/>' }));
      expect(broken.status).toBe(400);
      expect(broken.json.error.message).toMatch(/versionCode/);
      const notApk = await client.upload(id, 'apks', Buffer.from('not an apk'));
      expect(notApk.status).toBe(400);
      expect(notApk.json.error.message).toMatch(/aapt/);
    });

    it('refuses a version code already used in the app or in the edit', async () => {
      await start();
      const first = await client.newEdit();
      expect((await client.upload(first, 'bundles', bundleFixture(PKG, 5))).status).toBe(200);
      const sameEdit = await client.upload(first, 'bundles', bundleFixture(PKG, 5, 10));
      expect(sameEdit.status).toBe(403);
      expect(sameEdit.json.error).toMatchObject({ code: 403, message: 'Version code 5 has already been used.', errors: [{ reason: 'apkUpgradeVersionConflict' }] });
      expect((await client.commit(first)).status).toBe(200);

      const second = await client.newEdit();
      const apk = await client.upload(second, 'apks', apkFixture(dir, PKG, 5));
      expect(apk.status).toBe(403);
      expect(apk.json.error).toMatchObject({ message: 'APK specifies a version code that has already been used.', errors: [{ domain: 'androidpublisher', reason: 'apkUpgradeVersionConflict' }] });
      expect((await client.upload(second, 'apks', apkFixture(dir, PKG, 6))).status).toBe(200);
    });

    it('resumes a resumable upload after a chunk fails, from the offset it reports', async () => {
      await start();
      const id = await client.newEdit();
      const file = bundleFixture(PKG, 77, 3 * CHUNK_GRANULARITY);
      const total = file.length;
      const init = await client.call('POST', `${client.uploads}/edits/${id}/bundles?uploadType=resumable`, undefined, { 'x-upload-content-length': String(total), 'x-upload-content-type': 'application/octet-stream' });
      expect(init.status).toBe(200);
      const session = init.headers.get('location')!;
      expect(session).toMatch(new RegExp(`^${client.uploads}/edits/${id}/bundles\\?uploadType=resumable&upload_id=`));
      const put = (start: number, end: number) => client.call('PUT', session, file.subarray(start, end + 1), { 'content-range': `bytes ${start}-${end}/${total}` });
      const ask = () => client.call('PUT', session, undefined, { 'content-range': `bytes */${total}` });

      expect((await ask()).headers.get('range')).toBeNull();
      const one = await put(0, CHUNK_GRANULARITY - 1);
      expect(one.status).toBe(308);
      expect(one.headers.get('range')).toBe(`bytes=0-${CHUNK_GRANULARITY - 1}`);

      play.setFaults({ chunkServerErrors: 1 });
      expect((await put(CHUNK_GRANULARITY, 2 * CHUNK_GRANULARITY - 1)).status).toBe(503);
      const offset = await ask();
      expect(offset.status).toBe(308);
      expect(offset.headers.get('range')).toBe(`bytes=0-${CHUNK_GRANULARITY - 1}`);

      // A chunk that does not end on a 256 KiB boundary is kept only up to the last one.
      const ragged = await put(CHUNK_GRANULARITY, 2 * CHUNK_GRANULARITY + 1000);
      expect(ragged.headers.get('range')).toBe(`bytes=0-${2 * CHUNK_GRANULARITY - 1}`);
      expect((await put(3 * CHUNK_GRANULARITY, total - 1)).status).toBe(400);
      const last = await put(2 * CHUNK_GRANULARITY, total - 1);
      expect(last.status).toBe(200);
      expect(last.json).toMatchObject({ versionCode: 77, sha256: require('crypto').createHash('sha256').update(file).digest('hex') });
      expect((await ask()).json).toEqual(last.json);
      expect(play.requests.filter((r) => r.status === 503)).toHaveLength(1);
    });

    it('takes a multipart upload and deobfuscation files for a known version code', async () => {
      await start();
      const id = await client.newEdit();
      const boundary = 'stand-in-boundary';
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Type: application/json\r\n\r\n{}\r\n--${boundary}\r\nContent-Type: application/octet-stream\r\n\r\n`),
        bundleFixture(PKG, 8),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const m = await client.call('POST', `${client.uploads}/edits/${id}/bundles?uploadType=multipart`, body, { 'content-type': `multipart/related; boundary=${boundary}` });
      expect(m.json).toMatchObject({ versionCode: 8 });

      const mapping = Buffer.from('com.acme.A -> a:\n');
      const d = await client.call('POST', `${client.uploads}/edits/${id}/apks/8/deobfuscationFiles/proguard?uploadType=media`, mapping);
      expect(d.json).toEqual({ deobfuscationFile: { symbolType: 'proguard' } });
      expect((await client.call('POST', `${client.uploads}/edits/${id}/apks/9/deobfuscationFiles/proguard?uploadType=media`, mapping)).status).toBe(404);
      expect((await client.call('POST', `${client.uploads}/edits/${id}/apks/8/deobfuscationFiles/mapping?uploadType=media`, mapping)).status).toBe(400);
      expect((await client.call('POST', `${client.uploads}/edits/${id}/bundles`, bundleFixture(PKG, 9))).status).toBe(400);
      await client.commit(id);
      expect(play.app(PKG).deobfuscationFiles).toEqual([{ versionCode: 8, type: 'proguard', bytes: mapping.length }]);
    });
  });

  describe('tracks', () => {
    it('validates releases as Play does', async () => {
      await start({ apps: { [PKG]: { customTracks: ['qa'], formFactors: ['wear'] } } });
      const id = await client.newEdit();
      await client.upload(id, 'bundles', bundleFixture(PKG, 20));
      const put = async (track: string, release: Record<string, unknown>, bodyTrack = track) => {
        const r = await client.putTrack(id, track, { track: bodyTrack, releases: [release] });
        return { status: r.status, message: r.json?.error?.message as string | undefined, json: r.json };
      };
      const ok = { status: 'completed', versionCodes: ['20'] };

      expect(await put('nightly', ok)).toMatchObject({ status: 404, message: 'Track not found: nightly' });
      expect(await put('tv:internal', ok)).toMatchObject({ status: 404 });
      expect(await put('beta', ok, 'alpha')).toMatchObject({ status: 400, message: 'Track names in request path and request body must match.' });
      expect(await put('beta', { ...ok, status: 'Completed' })).toMatchObject({ status: 400, message: `Invalid value at 'track_config.releases[0].status' (TYPE_ENUM), "Completed"` });
      expect(await put('beta', { ...ok, userFraction: 0.1 })).toMatchObject({ status: 400, message: 'COMPLETED release must not have fraction' });
      expect(await put('beta', { ...ok, status: 'inProgress' })).toMatchObject({ status: 400 });
      expect(await put('beta', { ...ok, status: 'inProgress', userFraction: 1 })).toMatchObject({ status: 400 });
      expect(await put('beta', { ...ok, versionCodes: ['21'] })).toMatchObject({ status: 400, message: expect.stringContaining('21') });
      expect(await put('beta', { ...ok, releaseNotes: [{ language: 'en-US', text: 'x'.repeat(501) }] })).toMatchObject({ status: 400 });

      expect(await put('beta', { ...ok, releaseNotes: [{ language: 'en-US', text: 'x'.repeat(500) }] })).toMatchObject({ status: 200 });
      const staged = await put('production', { status: 'inProgress', userFraction: 0.25, versionCodes: ['20'], name: '1.2.0' });
      expect(staged.json).toEqual({ track: 'production', releases: [{ status: 'inProgress', userFraction: 0.25, versionCodes: ['20'], name: '1.2.0' }] });
      expect(await put('qa', { status: 'draft' })).toMatchObject({ status: 200 });
      expect(await put('wear:production', { ...ok, versionCodes: [20] })).toMatchObject({ status: 200 });
      const list = await client.call('GET', `${client.api}/edits/${id}/tracks`);
      expect(list.json.tracks.map((t: { track: string }) => t.track)).toEqual(['production', 'beta', 'alpha', 'internal', 'qa', 'wear:production', 'wear:beta', 'wear:alpha', 'wear:internal']);
      expect((await client.call('POST', `${client.api}/edits/${id}:validate`)).status).toBe(200);
    });
  });

  describe('review answers on commit', () => {
    it('refuses a commit without changesNotSentForReview when changes cannot be sent for review, and one with it when they are sent automatically', async () => {
      await start({ apps: { [PKG]: { review: 'manual' } } });
      const id = await client.newEdit();
      const refused = await client.commit(id);
      expect(refused.status).toBe(400);
      expect(refused.json.error.message).toBe(
        'Changes cannot be sent for review automatically. Please set the query parameter changesNotSentForReview to true. Once committed, the changes in this edit can be sent for review from the Google Play Console UI.',
      );
      expect(play.app(PKG).commits).toBe(0);
      expect((await client.commit(id, true)).status).toBe(200);
      expect(play.app(PKG).commits).toBe(1);

      play.app(PKG).review = 'automatic';
      const next = await client.newEdit();
      const flagged = await client.commit(next, true);
      expect(flagged.json.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT', message: 'Changes are sent for review automatically. The query parameter changesNotSentForReview must not be set.' });
      expect((await client.call('POST', `${client.api}/edits/${next}:commit?changesNotSentForReview=false`)).status).toBe(200);
    });

    it('can discard the edit and flip the answer after a refusal', async () => {
      await start({ apps: { [PKG]: { review: 'automatic' } }, faults: { discardEditOnReviewError: true, flipReviewAfterRefusal: true } });
      const id = await client.newEdit();
      expect((await client.commit(id, true)).status).toBe(400);
      expect(play.app(PKG).review).toBe('manual');
      expect((await client.commit(id)).json.error.errors[0].reason).toBe('editDeleted');
      const fresh = await client.newEdit();
      expect((await client.commit(fresh)).json.error.message).toMatch(/^Changes cannot be sent for review automatically/);
      expect(play.app(PKG).review).toBe('automatic');
    });
  });

  it('runs from the command line on the port it is given and prints its URL', async () => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'server.ts'), '--port', '0', '--review', 'manual'], { cwd: join(__dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /^(http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
          if (m && out.includes('token url:')) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const keyFile = /^service account key: (.+)$/m.exec(out)![1];
      const res = await fetch(`${url}/androidpublisher/v3/applications/${PKG}/edits`, { method: 'POST' });
      expect(res.status).toBe(401);
      expect(JSON.parse(readFileSync(keyFile, 'utf8'))).toMatchObject({ type: 'service_account' });
    } finally {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
  });

  describe('faults', () => {
    it('deletes the edit under the client after an upload or a track update, once', async () => {
      await start({ faults: { deleteEditAfter: 'upload' } });
      const id = await client.newEdit();
      expect((await client.upload(id, 'bundles', bundleFixture(PKG, 30))).status).toBe(200);
      expect((await client.putTrack(id, 'internal', { track: 'internal', releases: [{ status: 'completed', versionCodes: ['30'] }] })).status).toBe(404);
      const retry = await client.newEdit();
      expect((await client.upload(retry, 'bundles', bundleFixture(PKG, 30))).status).toBe(200);

      play.setFaults({ deleteEditAfter: 'tracks' });
      expect((await client.putTrack(retry, 'internal', { track: 'internal', releases: [{ status: 'completed', versionCodes: ['30'] }] })).status).toBe(200);
      expect((await client.commit(retry)).status).toBe(404);
      expect(play.app(PKG).commits).toBe(0);
    });

    it('answers 429 with Retry-After and 403 without permission', async () => {
      await start({ faults: { tooManyRequests: 2 } });
      const limited = await client.call('POST', `${client.api}/edits`);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('1');
      expect((await client.call('POST', `${client.api}/edits`)).status).toBe(429);
      const id = await client.newEdit();

      play.setFaults({ forbidden: '/tracks' });
      expect((await client.call('GET', `${client.api}/edits/${id}`)).status).toBe(200);
      const denied = await client.call('GET', `${client.api}/edits/${id}/tracks`);
      expect(denied.json).toEqual({ error: { code: 403, message: 'The caller does not have permission', errors: [{ message: 'The caller does not have permission', domain: 'global', reason: 'forbidden' }], status: 'PERMISSION_DENIED' } });
      play.setFaults({ forbidden: true });
      expect((await client.call('POST', `${client.api}/edits`)).status).toBe(403);
      expect(play.requests.map((r) => r.status).filter((s) => s === 429)).toHaveLength(2);
    });
  });
});

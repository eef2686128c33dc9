import { X509Certificate } from 'crypto';
import { statSync } from 'fs';
import { TaskContext, TaskStep, taskStep } from '@shipfleet/core';
import { expectedArtefact, findArtefact, symbolFiles } from './artefacts';
import { ResolvedAndroidBuild } from './options';

/** What the build produced; filled by its last step while the plan runs. */
export interface AndroidBuildResult {
  artifact?: string;
  /** SHA-256 of the signing certificate, as Play Console shows it: AA:BB:…; undefined for an unsigned artefact. */
  signingCertSha256?: string;
  mapping?: string;
  nativeSymbols?: string;
  versionCode: number;
  versionName: string;
}

export interface SigningCertificate {
  sha256: string;
  subject: string;
}

const TOOL_TIMEOUT_MS = 120_000;
// keytool and jarsigner translate their output; the parsers read the English one.
const ENGLISH = ['-J-Duser.language=en', '-J-Duser.country=US'];

/** 7f39dc… → 7F:39:DC:… */
export function colonFingerprint(hex: string): string {
  return hex.replace(/[^0-9a-f]/gi, '').toUpperCase().match(/../g)!.join(':');
}

/** The certificates of PEM blocks in `text`, in order. */
function pemCertificates(text: string): X509Certificate[] {
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) => new X509Certificate(m[0]));
}

// Most significant part first, as apksigner and keytool print a DN (RFC 2253): CN=…, O=….
const certificateOf = (cert: X509Certificate): SigningCertificate => ({ sha256: cert.fingerprint256, subject: cert.subject.split('\n').reverse().join(', ') });

/** `apksigner verify --print-certs`: the signers' certificate digests ("Signer #1 certificate SHA-256 digest: …"). */
export function parseApksignerCertificates(stdout: string): SigningCertificate[] {
  const signers: SigningCertificate[] = [];
  for (const m of stdout.matchAll(/^Signer #(\d+) certificate SHA-256 digest: ([0-9a-f]{64})$/gm)) {
    const dn = new RegExp(`^Signer #${m[1]} certificate DN: (.*)$`, 'm').exec(stdout);
    signers.push({ sha256: colonFingerprint(m[2]), subject: dn?.[1] ?? '' });
  }
  return signers;
}

/** `keytool -printcert -rfc -jarfile`: each signer's own certificate (the first of its chain). */
export function parseJarSigners(stdout: string): SigningCertificate[] {
  return stdout
    .split(/^Signer #\d+:$/m)
    .slice(1)
    .map((block) => pemCertificates(block)[0])
    .filter((c): c is X509Certificate => !!c)
    .map(certificateOf);
}

const tail = (r: { stdout: string; stderr: string }) =>
  `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).filter((l) => l && !/^Re-run|^Warning:|POSIX file permission/.test(l)).slice(-6).join(' / ');

async function apkSigners(ctx: TaskContext, apk: string, mustBeSigned: boolean): Promise<SigningCertificate[]> {
  const r = await ctx.exec('apksigner', ['verify', '-v', '--print-certs', apk], { timeoutMs: TOOL_TIMEOUT_MS });
  if (r.exitCode !== 0) {
    if (mustBeSigned) throw new Error(`apksigner verify rejects ${apk}: ${tail(r)}`);
    return [];
  }
  for (const line of r.stdout.split('\n').filter((l) => /^Verified using v\d scheme.*: true$/.test(l))) ctx.log(line);
  return parseApksignerCertificates(r.stdout);
}

async function bundleSigners(ctx: TaskContext, r: ResolvedAndroidBuild, aab: string, keystorePath: string | undefined): Promise<SigningCertificate[]> {
  if (r.signing && keystorePath) {
    // -strict with the upload keystore as trust store: every entry signed, by that alias, digests intact (exit 0); an upload key is self-signed, so without the keystore -strict always fails.
    const s = r.signing;
    const v = await ctx.exec('jarsigner', [...ENGLISH, '-verify', '-strict', '-keystore', keystorePath, '-storepass:env', s.storePassword.env, aab, s.alias], { secretEnv: [s.storePassword.env], timeoutMs: TOOL_TIMEOUT_MS });
    if (v.exitCode !== 0) throw new Error(`jarsigner -verify -strict: ${aab} is not signed by key "${s.alias}" of the upload keystore alone (exit ${v.exitCode}): ${tail(v)}`);
    ctx.log(`jarsigner -verify -strict: every entry signed by key "${s.alias}" of the upload keystore`);
  } else {
    const v = await ctx.exec('jarsigner', [...ENGLISH, '-verify', aab], { timeoutMs: TOOL_TIMEOUT_MS });
    if (v.exitCode !== 0) throw new Error(`jarsigner -verify rejects ${aab}: ${tail(v)}`);
    if (/jar is unsigned/.test(v.stdout)) return [];
  }
  const p = await ctx.exec('keytool', [...ENGLISH, '-printcert', '-rfc', '-jarfile', aab], { timeoutMs: TOOL_TIMEOUT_MS });
  if (p.exitCode !== 0) throw new Error(`keytool -printcert could not read ${aab}: ${tail(p)}`);
  return parseJarSigners(p.stdout);
}

/** The certificate of the upload key, read from the keystore with keytool. */
async function keystoreCertificate(ctx: TaskContext, r: ResolvedAndroidBuild, keystorePath: string): Promise<SigningCertificate> {
  const s = r.signing!;
  const e = await ctx.exec('keytool', [...ENGLISH, '-exportcert', '-rfc', '-keystore', keystorePath, '-alias', s.alias, '-storepass:env', s.storePassword.env], { secretEnv: [s.storePassword.env], timeoutMs: TOOL_TIMEOUT_MS });
  const cert = e.exitCode === 0 ? pemCertificates(e.stdout)[0] : undefined;
  if (!cert) throw new Error(`keytool could not read key "${s.alias}" from the upload keystore: ${tail(e)}`);
  return certificateOf(cert);
}

/**
 * The last step: finds the artefact, verifies its signature with apksigner or
 * jarsigner, prints the signing certificate's SHA-256 (checked against the
 * upload key's when one was given), and sets the outputs.
 */
export function verifyArtefactStep(r: ResolvedAndroidBuild, keystorePath: string | undefined, result: AndroidBuildResult): TaskStep {
  const tool = r.format === 'apk' ? 'apksigner verify --print-certs' : `${r.signing ? 'jarsigner -verify -strict (the upload keystore as trust store)' : 'jarsigner -verify'} and keytool -printcert -jarfile`;
  const description = `Find the ${r.format === 'aab' ? 'app bundle' : 'APK'} (${expectedArtefact(r)}), check it with ${tool}, print the signing certificate's SHA-256${r.signing ? ` and check it is the one of key "${r.signing.alias}" in the upload keystore (keytool -exportcert)` : ''}; outputs artifact, signingCertSha256, mapping and nativeSymbols (when written), versionCode, versionName`;
  return taskStep('Verify the signature and print the signing certificate', description, async (ctx) => {
    const artefact = findArtefact(r);
    ctx.log(`artefact: ${artefact} (${statSync(artefact).size} bytes)`);
    const signers = r.format === 'apk' ? await apkSigners(ctx, artefact, !!r.signing) : await bundleSigners(ctx, r, artefact, keystorePath);
    if (r.signing && keystorePath) {
      const expected = await keystoreCertificate(ctx, r, keystorePath);
      if (signers.length !== 1 || signers[0].sha256 !== expected.sha256) {
        const found = signers.length ? signers.map((s) => `${s.subject} ${s.sha256}`).join('; ') : 'no signature';
        throw new Error(`${artefact} should be signed by the upload key (${expected.subject}, certificate SHA-256 ${expected.sha256}) alone, but has: ${found}`);
      }
    }
    if (!signers.length) ctx.log('unsigned: Google Play accepts only uploads signed with your upload key (give keystore or keystoreEnv)');
    for (const [i, s] of signers.entries()) {
      ctx.log(`signer ${i + 1}: ${s.subject}`);
      ctx.log(`signing certificate SHA-256: ${s.sha256}`);
      if (/CN=Android Debug\b/.test(s.subject)) ctx.log('this is a debug certificate: Google Play refuses uploads signed with it (give keystore or keystoreEnv)');
    }
    const symbols = symbolFiles(r);
    Object.assign(result, { artifact: artefact, ...symbols, ...(signers[0] ? { signingCertSha256: signers[0].sha256 } : {}) });
    ctx.setOutput('artifact', artefact);
    if (signers[0]) ctx.setOutput('signingCertSha256', signers[0].sha256);
    if (symbols.mapping) ctx.setOutput('mapping', symbols.mapping);
    if (symbols.nativeSymbols) ctx.setOutput('nativeSymbols', symbols.nativeSymbols);
  });
}

// skopeo and umoci, for independent read-backs of what the client under test pushed. Run
// asynchronously: the counting proxy and token server live in the calling process.
import { execFile } from 'child_process';

export interface SkopeoAuth {
  /** A folder with the test CA as ca.crt. */
  certDir: string;
  /** user:password (test credentials only). */
  creds: string;
}

function run(tool: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(tool, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${tool} ${args.find((a) => !a.startsWith('-')) ?? ''} failed (${(err as { code?: unknown }).code}): ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

export function skopeo(args: string[]): Promise<string> {
  return run('skopeo', args);
}

/** The raw manifest or index at docker://<ref>, and its bytes. */
export function inspectRaw(ref: string, auth: SkopeoAuth): Promise<string> {
  return skopeo(['inspect', '--raw', '--cert-dir', auth.certDir, '--creds', auth.creds, `docker://${ref}`]);
}

export async function inspectConfig(ref: string, auth: SkopeoAuth, arch?: string): Promise<Record<string, unknown>> {
  return JSON.parse(await skopeo([...(arch ? ['--override-arch', arch] : []), 'inspect', '--config', '--cert-dir', auth.certDir, '--creds', auth.creds, `docker://${ref}`])) as Record<string, unknown>;
}

/** skopeo copy docker://<ref> oci:<dir>:<tag> for one architecture. */
export async function copyToOciLayout(ref: string, dir: string, tag: string, auth: SkopeoAuth, arch: string): Promise<void> {
  await skopeo(['--override-arch', arch, 'copy', '--src-cert-dir', auth.certDir, '--src-creds', auth.creds, `docker://${ref}`, `oci:${dir}:${tag}`]);
}

/** umoci unpack of <dir>:<tag> into <bundle> (rootless when not root: owners are not kept then). */
export async function umociUnpack(dir: string, tag: string, bundle: string): Promise<{ rootless: boolean }> {
  const rootless = process.getuid?.() !== 0;
  await run('umoci', ['unpack', ...(rootless ? ['--rootless'] : []), '--image', `${dir}:${tag}`, bundle]);
  return { rootless };
}

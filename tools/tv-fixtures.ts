// Test fixtures for TV packaging: a real CA → intermediate → leaf chain made with openssl,
// exported as .p12 (whole chain, or leaf only with the CA beside it as Tizen Studio's profiles
// keep it), Certificate Manager profiles.xml files, and sample Tizen / webOS apps. Used by unit, e2e and benchmark.
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

function openssl(cwd: string, ...args: string[]) {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

export interface CertChain {
  dir: string;
  rootPem: string;
  /** Leaf + intermediate + root in a .p12 protected by `password`. */
  p12: string;
  password: string;
  /** Only the leaf and its key in a .p12 protected by `password`, as Tizen Studio's profiles keep it. */
  leafOnlyP12: string;
  /** The intermediate CA that issued the leaf, DER (.cer) and PEM. */
  caCer: string;
  caPem: string;
}

/** A three-level chain; `name` labels the CAs (e.g. "Author", "Distributor"). */
export function makeCertChain(name: string, password: string): CertChain {
  const dir = mkdtempSync(join(tmpdir(), `shipfleet-certs-${name}-`));
  writeFileSync(join(dir, 'ext.cnf'), '[ca]\nbasicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n[leaf]\nbasicConstraints=CA:false\nkeyUsage=critical,digitalSignature\n');
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-days', '3650', '-subj', `/CN=${name} Test Root CA`, '-addext', 'basicConstraints=critical,CA:true', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'int.key', '-out', 'int.csr', '-subj', `/CN=${name} Test Intermediate CA`);
  openssl(dir, 'x509', '-req', '-in', 'int.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-CAcreateserial', '-out', 'int.pem', '-days', '3650', '-extfile', 'ext.cnf', '-extensions', 'ca');
  openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${name} Test Signer`);
  openssl(dir, 'x509', '-req', '-in', 'leaf.csr', '-CA', 'int.pem', '-CAkey', 'int.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '3650', '-extfile', 'ext.cnf', '-extensions', 'leaf');
  spawnSync('sh', ['-c', 'cat int.pem root.pem > chain.pem'], { cwd: dir });
  openssl(dir, 'pkcs12', '-export', '-inkey', 'leaf.key', '-in', 'leaf.pem', '-certfile', 'chain.pem', '-out', 'signer.p12', '-passout', `pass:${password}`);
  openssl(dir, 'pkcs12', '-export', '-inkey', 'leaf.key', '-in', 'leaf.pem', '-out', 'leaf-only.p12', '-passout', `pass:${password}`);
  openssl(dir, 'x509', '-in', 'int.pem', '-outform', 'DER', '-out', 'ca.cer');
  return { dir, rootPem: join(dir, 'root.pem'), p12: join(dir, 'signer.p12'), password, leafOnlyP12: join(dir, 'leaf-only.p12'), caCer: join(dir, 'ca.cer'), caPem: join(dir, 'int.pem') };
}

export interface ProfileFixture {
  name: string;
  author: { key: string; ca?: string; password?: string };
  distributor?: { key: string; ca?: string; password?: string };
}

const xmlAttr = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** A profiles.xml as Tizen Studio's Certificate Manager writes it (version 3.1, three items per profile). */
export function tizenProfilesXml(profiles: ProfileFixture[], active?: string): string {
  const item = (n: number, c?: { key: string; ca?: string; password?: string }) =>
    `<profileitem ca="${xmlAttr(c?.ca ?? '')}" distributor="${n}" key="${xmlAttr(c?.key ?? '')}" password="${xmlAttr(c?.password ?? '')}" rootca=""/>`;
  return [
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
    `<profiles${active === undefined ? '' : ` active="${xmlAttr(active)}"`} version="3.1">`,
    ...profiles.flatMap((p) => [`<profile name="${xmlAttr(p.name)}">`, item(0, p.author), item(1, p.distributor), item(2), '</profile>']),
    '</profiles>',
    '',
  ].join('\n');
}

export const TIZEN_CONFIG = `<?xml version="1.0" encoding="UTF-8"?>
<widget xmlns="http://www.w3.org/ns/widgets" xmlns:tizen="http://tizen.org/ns/widgets" id="http://example.com/TvApp" version="1.0.0" viewmodes="maximized">
  <tizen:application id="Ab12Cd34Ef.TvApp" package="Ab12Cd34Ef" required_version="6.0"/>
  <content src="index.html"/>
  <icon src="icon.png"/>
  <name>TvApp</name>
  <tizen:privilege name="http://tizen.org/privilege/internet"/>
  <tizen:profile name="tv-samsung"/>
</widget>
`;

export const WEBOS_APPINFO = JSON.stringify({ id: 'com.example.tvapp', version: '1.0.0', vendor: 'Example', type: 'web', main: 'index.html', title: 'TV App', icon: 'icon.png' }, null, 2);

/** A small app with nested folders, a name needing percent-encoding, and a hidden file. */
export function makeTvApp(dir: string): string {
  const files: Record<string, string | Buffer> = {
    'config.xml': TIZEN_CONFIG,
    'appinfo.json': WEBOS_APPINFO,
    'index.html': '<!doctype html><title>TV App</title><script src="js/main.js"></script>',
    'icon.png': Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'),
    'js/main.js': 'document.title = "ready";\n',
    'css/my style.css': 'body { background: #000; }\n',
    'assets/data/levels.json': JSON.stringify({ levels: [1, 2, 3] }),
    '.env.local': 'SHOULD_NOT_BE_PACKED=1\n',
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** Unpacks a .wgt into `dir` with the real unzip; returns `dir`. */
export function unzipInto(wgt: string, dir: string): string {
  const r = spawnSync('unzip', ['-q', wgt, '-d', dir]);
  if (r.status !== 0) throw new Error(String(r.stderr));
  return dir;
}

/** xmlsec1's verdict on one signature file of an unpacked package, checked against `rootPem` (not --insecure). */
export function xmlsecVerify(dir: string, file: string, rootPem: string): { ok: boolean; output: string } {
  const r = spawnSync('xmlsec1', ['--verify', '--trusted-pem', rootPem, file], { cwd: dir, encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

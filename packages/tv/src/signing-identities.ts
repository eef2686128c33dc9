import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { isMaskable, pathOption, PathRules, secretFromEnv, secretFromFile, UserError } from '@shipfleet/core';
import { generateDevIdentity, loadP12, parseCertificates, SigningIdentity } from './certificates';
import { defaultTizenProfilesPath, readTizenProfiles, TizenProfileCertificate } from './tizen-profile';

export type SigningRole = 'author' | 'distributor';

/** Where package-tizen takes its author and distributor certificates from. */
export interface TizenSigningOptions {
  /** A dry run: with no certificate source at all, the plan shows them missing (and warns) rather than failing. */
  dryRun?: boolean;
  /** Path of the author .p12. */
  authorCert?: string;
  /** Name of the env var holding the author .p12 as base64. */
  authorCertEnv?: string;
  /** Name of the env var holding the author .p12 password. */
  authorPasswordEnv?: string;
  /** Path of the CA certificate (.cer/.crt, PEM or DER) that issued the author certificate, when the .p12 holds only the leaf. */
  authorCaCert?: string;
  /** Name of the env var holding that CA certificate (PEM, or base64 of DER or PEM). */
  authorCaCertEnv?: string;
  distributorCert?: string;
  distributorCertEnv?: string;
  distributorPasswordEnv?: string;
  distributorCaCert?: string;
  distributorCaCertEnv?: string;
  /** Tizen Studio Certificate Manager's profiles.xml. Default: ~/tizen-studio-data/profile/profiles.xml when it exists. */
  profilesXml?: string;
  /** Profile of profilesXml to sign with. Default: the file's active profile. */
  profile?: string;
  /** Sign with self-signed development certificates made in devCertDir: checks the package structure only. */
  devCertificates?: boolean;
  /** Store release: real author and distributor certificates required. */
  release?: boolean;
}

export interface IdentitySource {
  role: SigningRole;
  /** Where it comes from, for the plan and messages. */
  label: string;
  identity?: SigningIdentity;
  /** A development identity, made on first use at this path. */
  devPath?: string;
  /** None given (dry runs only). */
  missing?: boolean;
}

export type SigningPaths = Pick<PathRules, 'workspaceRoot' | 'projectRoot' | 'warn'>;

/** Said whenever development certificates are used. */
export const DEV_CERTIFICATES_NOTICE = 'self-signed development certificates: checks the package structure only; no TV, emulator or store accepts them';

const CA_EXAMPLE: Record<SigningRole, string> = {
  author: 'tizen-developer-ca.cer for a Tizen certificate, vd_tizen_dev_author_ca.cer for a Samsung one',
  distributor: "tizen-distributor-ca.cer from Tizen Studio's tools/certificate-generator/certificates/distributor/, or the Samsung distributor CA of your profile",
};

const WAY_LIST = [
  'profilesXml (Tizen Studio\'s profiles.xml) and profile (default: its active profile), with authorPasswordEnv and distributorPasswordEnv',
  'authorCert or authorCertEnv (+ authorCaCert or authorCaCertEnv when the .p12 holds only your certificate) and the same for distributor…, with the password env vars',
  "a profile made in Tizen Studio's Certificate Manager: its active profile in ~/tizen-studio-data/profile/profiles.xml is used",
  'devCertificates: true to check the package structure only (self-signed; no TV, emulator or store accepts them)',
];
const ways = (count: number) => WAY_LIST.slice(0, count).map((w, i) => `(${i + 1}) ${w}`).join('; ');

export function devIdentitySource(role: SigningRole, devCertDir: string): IdentitySource {
  const devPath = join(devCertDir, `dev-${role}.p12`);
  return { role, label: `${devPath} (self-signed development certificate)`, devPath };
}

interface Bytes {
  bytes: Buffer;
  label: string;
}

function certOptionsGiven(o: TizenSigningOptions): string[] {
  return (['authorCert', 'authorCertEnv', 'distributorCert', 'distributorCertEnv'] as const).filter((k) => o[k]);
}

/** The CA certificates given by options (and the profile), DER, with where they came from. */
function caCertificates(role: SigningRole, o: TizenSigningOptions, paths: SigningPaths, env: NodeJS.ProcessEnv, profileCa?: string): { ders: Buffer[]; labels: string[] } {
  const fileOpt = `${role}CaCert` as const;
  const envOpt = `${role}CaCertEnv` as const;
  if (o[fileOpt] && o[envOpt]) throw new UserError(fileOpt, `both ${fileOpt} and ${envOpt} are set`, 'Give the CA certificate either as a file path or as an env var, not both');
  const sources: Array<Bytes & { option: string }> = [];
  if (profileCa) {
    if (!existsSync(profileCa)) throw new UserError('profilesXml', `the ${role} CA certificate of the profile, ${profileCa}, does not exist`, 'Fix the ca="…" path in profiles.xml, or copy the file there');
    sources.push({ option: 'profilesXml', bytes: readFileSync(profileCa), label: profileCa });
  }
  const file = pathOption(fileOpt, o[fileOpt], { ...paths, mustExist: 'file', fix: `Point it at the CA certificate (.cer/.crt) kept beside the ${role} .p12, e.g. ${CA_EXAMPLE[role]}` });
  if (file) sources.push({ option: fileOpt, bytes: readFileSync(file), label: file });
  const fromEnv = secretFromEnv(envOpt, o[envOpt], { env, decode: 'auto', what: `the ${role} CA certificate (PEM, or base64 of the .cer)` });
  if (fromEnv) sources.push({ option: envOpt, bytes: fromEnv.bytes, label: fromEnv.source });
  const ders: Buffer[] = [];
  for (const s of sources) {
    try {
      ders.push(...parseCertificates(s.bytes));
    } catch (e) {
      throw new UserError(s.option, `${s.label} ${(e as Error).message}`, `Give the CA certificate that issued the ${role} certificate, e.g. ${CA_EXAMPLE[role]}`);
    }
  }
  return { ders, labels: sources.map((s) => s.label) };
}

function p12FromOptions(role: SigningRole, o: TizenSigningOptions, paths: SigningPaths, env: NodeJS.ProcessEnv): (Bytes & { mask: string[] }) | undefined {
  const certOpt = `${role}Cert` as const;
  const envOpt = `${role}CertEnv` as const;
  if (o[certOpt] && o[envOpt]) throw new UserError(certOpt, `both ${certOpt} and ${envOpt} are set`, 'Give the .p12 either as a file path or as a base64 env var, not both');
  if (o[certOpt]) {
    const file = pathOption(certOpt, o[certOpt], { ...paths, mustExist: 'file', fix: "Point it at the .p12 exported from Tizen Studio's Certificate Manager (paths are relative to the workspace root)" })!;
    const secret = secretFromFile(certOpt, file, { what: `the ${role} .p12` })!;
    return { bytes: secret.bytes, label: secret.source, mask: secret.mask };
  }
  if (o[envOpt]) {
    const secret = secretFromEnv(envOpt, o[envOpt], { env, decode: 'base64', what: `the ${role} .p12` })!;
    return { bytes: secret.bytes, label: secret.source, mask: secret.mask };
  }
  return undefined;
}

/** Opens the .p12 with its password and completes its chain; every problem is a UserError naming the option to fix. */
function openIdentity(
  role: SigningRole,
  p12: Bytes & { mask: string[]; certOption: string; caHint: string },
  ca: { ders: Buffer[]; labels: string[] },
  o: TizenSigningOptions,
  env: NodeJS.ProcessEnv,
  secrets: string[],
): IdentitySource {
  const pwOpt = `${role}PasswordEnv` as const;
  secrets.push(...p12.mask);
  const password = secretFromEnv(pwOpt, o[pwOpt], { env, what: `the ${role} .p12 password` });
  if (password) secrets.push(...password.mask);
  let identity;
  try {
    identity = loadP12(p12.bytes, password?.text ?? '', ca.ders);
  } catch (e) {
    throw new UserError(
      password || p12.certOption === 'profilesXml' ? pwOpt : p12.certOption,
      `${(e as Error).message} (${p12.label})`,
      password
        ? `Check that ${o[pwOpt]} holds the password of this .p12`
        : `Set ${pwOpt} to the name of the env var holding the .p12 password${p12.certOption === 'profilesXml' ? ' (the password profiles.xml stores is encrypted and not read)' : ''}`,
    );
  }
  secrets.push(identity.keyPem);
  const caOpt = `${role}CaCert`;
  if (identity.unusedCa.length) {
    throw new UserError(caOpt, `the CA certificate given (${ca.labels.join(', ')}) is ${identity.unusedCa.join('; ')}, which did not issue the ${role} certificate "${identity.subject}"`, `Give the CA certificate that issued it: the ca="…" file of the same ${role} item of your Tizen Studio profile, e.g. ${CA_EXAMPLE[role]}`);
  }
  if (identity.missingIssuer) {
    throw new UserError(
      caOpt,
      `the ${role} certificate "${identity.subject}" was issued by ${identity.missingIssuer}, which is not in the .p12${p12.caHint} and no ${caOpt} was given: a device could not link it to its root`,
      `Give the CA certificate from your Tizen Studio profile (the ca="…" file of its ${role} item in profiles.xml, e.g. ${CA_EXAMPLE[role]}) as ${caOpt} (a path) or ${caOpt}Env (an env var holding it)`,
    );
  }
  const chain = identity.chain.length > 1 ? ` + ${identity.chain.length - 1} CA certificate${identity.chain.length > 2 ? 's' : ''}` : '';
  return { role, label: `${p12.label} (${identity.subject}${chain})`, identity };
}

function fromOptions(role: SigningRole, o: TizenSigningOptions, paths: SigningPaths, env: NodeJS.ProcessEnv, secrets: string[]): IdentitySource | undefined {
  const p12 = p12FromOptions(role, o, paths, env);
  const caOpts = [`${role}CaCert`, `${role}CaCertEnv`] as const;
  if (!p12) {
    const stray = ([`${role}PasswordEnv`, ...caOpts] as const).find((k) => o[k]);
    if (stray) throw new UserError(stray, `is set but no ${role} certificate is given`, `Set ${role}Cert (a .p12 path) or ${role}CertEnv (env var holding the base64 .p12)`);
    return undefined;
  }
  return openIdentity(role, { ...p12, certOption: `${role}Cert`, caHint: '' }, caCertificates(role, o, paths, env), o, env, secrets);
}

function fromProfile(path: string, how: string, o: TizenSigningOptions, paths: SigningPaths, env: NodeJS.ProcessEnv, secrets: string[]): { author: IdentitySource; distributor: IdentitySource } {
  let profiles;
  try {
    profiles = readTizenProfiles(path);
  } catch (e) {
    throw new UserError('profilesXml', (e as Error).message, "Point it at the profiles.xml of Tizen Studio's Certificate Manager (~/tizen-studio-data/profile/profiles.xml)");
  }
  const names = profiles.profiles.map((p) => `"${p.name}"`).join(', ') || 'none';
  const name = o.profile ?? profiles.active;
  if (!name) throw new UserError('profile', `${path} has no active profile`, `Name the profile to sign with; the file has: ${names}`);
  const profile = profiles.profiles.find((p) => p.name === name);
  if (!profile) throw new UserError('profile', `"${name}" is not a profile of ${path}`, `Name one of its profiles: ${names}`);
  for (const p of profiles.profiles) {
    for (const cert of [p.author, p.distributor, p.secondDistributor]) if (cert?.storedPassword && isMaskable(cert.storedPassword)) secrets.push(cert.storedPassword);
  }
  if (profile.secondDistributor) paths.warn?.(`Profile "${name}" has a second distributor certificate; shipfleet writes signature1.xml only and leaves it out`);
  const open = (role: SigningRole, cert: TizenProfileCertificate | undefined): IdentitySource => {
    if (!cert) throw new UserError('profile', `profile "${name}" of ${path} has no ${role} certificate`, "Add one in Tizen Studio's Certificate Manager, or choose another profile");
    if (!existsSync(cert.key)) {
      throw new UserError('profilesXml', `the ${role} .p12 of profile "${name}", ${cert.key}, does not exist`, 'Fix the key="…" path in profiles.xml (Tizen Studio writes absolute paths: a profile copied from another machine needs them rewritten)');
    }
    const secret = secretFromFile('profilesXml', cert.key, { what: `the ${role} .p12` })!;
    const ca = caCertificates(role, o, paths, env, cert.ca);
    const source = openIdentity(role, { bytes: secret.bytes, label: secret.source, mask: secret.mask, certOption: 'profilesXml', caHint: cert.ca ? `, nor in ${cert.ca}` : `, profile "${name}" names no CA certificate for it (ca="")` }, ca, o, env, secrets);
    return { ...source, label: `${how} "${name}" (${path}): ${source.label}` };
  };
  return { author: open('author', profile.author), distributor: open('distributor', profile.distributor) };
}

/**
 * Finds the author and distributor certificates, in this order: development
 * certificates when asked for; profilesXml (+ profile); authorCert /
 * distributorCert and their env forms; the active profile of Tizen Studio's
 * own profiles.xml, as `tizen package` does. Nothing found is an error that
 * lists these ways. Secret values read are added to `secrets`.
 */
export function resolveSigningIdentities(o: TizenSigningOptions, paths: SigningPaths, env: NodeJS.ProcessEnv, devCertDir: string, secrets: string[]): { author: IdentitySource; distributor: IdentitySource } {
  const certOptions = certOptionsGiven(o);
  if (o.devCertificates) {
    if (o.release) throw new UserError('devCertificates', 'a release cannot be signed with self-signed development certificates', `Drop devCertificates and give your certificates: ${ways(3)}`);
    const mixed = [...certOptions, ...(o.profilesXml ? ['profilesXml'] : [])];
    if (mixed.length) throw new UserError('devCertificates', `is set together with ${mixed.join(', ')}`, 'Drop devCertificates to sign with the certificates given, or drop those to check the package structure with development certificates');
    return { author: devIdentitySource('author', devCertDir), distributor: devIdentitySource('distributor', devCertDir) };
  }
  if (o.profilesXml) {
    if (certOptions.length) throw new UserError('profilesXml', `is set together with ${certOptions.join(', ')}`, 'Take the certificates either from the Tizen Studio profile or from authorCert and distributorCert, not both');
    const path = pathOption('profilesXml', o.profilesXml, { ...paths, mustExist: 'file', fix: "Point it at the profiles.xml of Tizen Studio's Certificate Manager (~/tizen-studio-data/profile/profiles.xml), relative to the workspace root" })!;
    return fromProfile(path, 'profile', o, paths, env, secrets);
  }
  if (!certOptions.length) {
    const tizenStudio = defaultTizenProfilesPath(env);
    if (tizenStudio) return fromProfile(tizenStudio, o.profile ? 'Tizen Studio profile' : "Tizen Studio's active profile", o, paths, env, secrets);
    if (o.profile) throw new UserError('profile', 'is set but no profilesXml is given and ~/tizen-studio-data/profile/profiles.xml does not exist', "Set profilesXml to the profiles.xml of Tizen Studio's Certificate Manager");
  }
  const author = fromOptions('author', o, paths, env, secrets);
  const distributor = fromOptions('distributor', o, paths, env, secrets);
  if (!author && !distributor && o.dryRun) {
    // A dry run is how people learn what a target does: show the plan, say what a real run needs.
    paths.warn?.(`No signing certificates are given and no Tizen Studio profile was found: a real run stops here. Give them one of these ways: ${ways(4)}`);
    const missing = (role: SigningRole): IdentitySource => ({ role, label: `<no ${role} certificate given: a real run fails until one is>`, missing: true });
    return { author: missing('author'), distributor: missing('distributor') };
  }
  if (!author) {
    if (o.release) throw new UserError('authorCert', 'a release needs your Samsung author certificate', `Give it one of these ways: ${ways(3)}`);
    throw new UserError('authorCert', distributor ? 'a distributor certificate is given but no author certificate' : 'no signing certificates are given, and no Tizen Studio profile was found', `Give them one of these ways: ${ways(4)}`);
  }
  if (!distributor) {
    if (o.release) throw new UserError('distributorCert', 'a release needs a distributor certificate', 'Set distributorCert or distributorCertEnv (and distributorPasswordEnv, and distributorCaCert when the .p12 holds only the signer) to the distributor certificate of your profile');
    throw new UserError('distributorCert', 'an author certificate is given but no distributor certificate', "Set distributorCert or distributorCertEnv (and distributorPasswordEnv, and distributorCaCert when the .p12 holds only the signer): a device accepts a package only with a distributor signature from a Tizen or Samsung distributor certificate; Tizen Studio's is tools/certificate-generator/certificates/distributor/tizen-distributor-signer.p12 with tizen-distributor-ca.cer");
  }
  return { author, distributor };
}

/** Loads a development identity, making it on first use (mode 0600, no password: it guards nothing of value). */
function devIdentity(source: IdentitySource, log: (line: string) => void): SigningIdentity {
  const path = source.devPath!;
  if (!existsSync(path)) {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, generateDevIdentity(`shipfleet development ${source.role}`, source.role), { mode: 0o600 });
    chmodSync(path, 0o600);
    log(`generated a development ${source.role} certificate at ${path}`);
  } else {
    log(`using the development ${source.role} certificate at ${path}`);
  }
  return loadP12(readFileSync(path), '');
}

/** The identities to sign with, saying where each comes from (and, once, what development certificates are good for). */
export function loadSigningIdentities(sources: { author: IdentitySource; distributor: IdentitySource }, log: (line: string) => void): { author: SigningIdentity; distributor: SigningIdentity } {
  if (sources.author.missing || sources.distributor.missing) throw new UserError('authorCert', 'no signing certificates are given, and no Tizen Studio profile was found', `Give them one of these ways: ${ways(4)}`);
  if (!sources.author.identity || !sources.distributor.identity) log(DEV_CERTIFICATES_NOTICE);
  const load = (source: IdentitySource) => {
    if (source.identity) {
      log(`${source.role}: ${source.label}`);
      return source.identity;
    }
    return devIdentity(source, log);
  };
  return { author: load(sources.author), distributor: load(sources.distributor) };
}

import { readFileSync } from 'fs';
import { isAbsent, plainObjectOption, secretFromEnv, secretFromFile, stringListOption, UserError } from '@shipfleet/core';
import { CredentialGaps, isMissing, secretFromEnvOrGap, unsetOption } from './credential-gaps';
import { OptionPaths, pathFrom } from './option-reading';
import { parseProvisioningProfile, ProvisioningProfile } from './profiles';

/** Options that bring a signing certificate and an App Store Connect API key; shared by build-ios and sign-macos. */
export interface CertificateOptions {
  /** .p12 (certificate with its private key), as a path. */
  signingCert?: string;
  /** Name of the env var holding the .p12 as base64 (the value is a secret). */
  signingCertEnv?: string;
  /** Name of the env var holding the .p12 password. */
  signingPasswordEnv?: string;
  /** @deprecated use signingCert */
  certificate?: string;
  /** @deprecated use signingCertEnv */
  certificateEnv?: string;
  /** @deprecated use signingPasswordEnv */
  certificatePasswordEnv?: string;
}

export interface ApiKeyOptions {
  /** App Store Connect API key (.p8), as a path. */
  apiKey?: string;
  /** @deprecated use apiKey */
  apiKeyPath?: string;
  /** Name of the env var holding the .p8 (base64, or the PEM text itself). */
  apiKeyEnv?: string;
  /** Key ID (10 characters). */
  apiKeyId?: string;
  /** Issuer ID (a UUID). */
  apiKeyIssuerId?: string;
}

export interface AppleIdOptions {
  appleId?: string;
  /** Developer team ID (10 characters). */
  teamId?: string;
  /** Name of the env var holding the app-specific password of appleId. */
  appSpecificPasswordEnv?: string;
}

export interface CertificateInput {
  p12: Buffer;
  /** Set when the .p12 was given as a path: imported from there, nothing decoded. */
  path?: string;
  password: string;
  label: string;
  /** Dry runs only: the .p12 is not available (`label` is what the plan shows instead, `p12` is empty). */
  missing?: boolean;
}

export interface ApiKeyInput {
  id: string;
  issuerId: string;
  /** The PEM text of the .p8: a secret. */
  p8: string;
  label: string;
  /** Dry runs only: the .p8 is not available (`label` is what the plan shows instead, `p8` is empty). */
  missing?: boolean;
}

export interface AppleIdInput {
  appleId: string;
  teamId?: string;
  password: string;
  passwordEnv: string;
  /** Dry runs only: the password is not available (`password` is what the plan shows instead). */
  missing?: boolean;
}

/** The App Store Connect credentials a dry run shows when none are given. */
export function placeholderApiKey(): ApiKeyInput {
  return { id: unsetOption('apiKeyId'), issuerId: unsetOption('apiKeyIssuerId'), p8: '', label: unsetOption('apiKey or apiKeyEnv'), missing: true };
}

export const TEAM_ID = /^[A-Z0-9]{10}$/;
const KEY_ID = /^[A-Z0-9]{10}$/;
const ISSUER_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Options normalised under their current names (see withCurrentNames): the old names are gone. */
type Current<T> = Omit<T, 'certificate' | 'certificateEnv' | 'certificatePasswordEnv' | 'apiKeyPath'>;

/** The .p12 and its password, read and checked before anything runs. Secret values are added to `secrets`. */
export function normalizeCertificate(raw: Current<CertificateOptions>, paths: OptionPaths, env: NodeJS.ProcessEnv, secrets: string[]): CertificateInput | undefined {
  if (!isAbsent(raw.signingCert) && !isAbsent(raw.signingCertEnv)) {
    throw new UserError('signingCert', 'both signingCert and signingCertEnv are set', 'Give the .p12 either as a path or as the name of an env var holding its base64, not both');
  }
  if (isAbsent(raw.signingCert) && isAbsent(raw.signingCertEnv)) {
    if (!isAbsent(raw.signingPasswordEnv)) throw new UserError('signingPasswordEnv', 'is set but no certificate is given', 'Set signingCert (a .p12 path) or signingCertEnv (env var holding the base64 .p12)');
    return undefined;
  }
  const what = 'the .p12 (certificate with its private key)';
  const option = isAbsent(raw.signingCert) ? 'signingCertEnv' : 'signingCert';
  const path = pathFrom(paths, 'signingCert', raw.signingCert, {
    mustExist: 'file',
    fix: 'Export the certificate with its private key from Keychain Access as a .p12 and point signingCert at it (relative to the workspace root)',
  });
  // One of the two is given (checked above), so a secret is read (or, in a dry run, found missing).
  const p12 = (path ? secretFromFile('signingCert', path, { what }) : secretFromEnvOrGap('signingCertEnv', raw.signingCertEnv, { env, decode: 'base64', what: `the base64 of ${what}` }, paths.gaps))!;
  if (!isMissing(p12)) {
    secrets.push(...p12.mask);
    // PKCS#12 is DER: a SEQUENCE (0x30) with a long-form length.
    if (p12.bytes.length < 16 || p12.bytes[0] !== 0x30) throw new UserError(option, `${p12.source} is not a PKCS#12 (.p12) file`, 'Export the certificate together with its private key from Keychain Access (File → Export Items… → .p12)');
  }
  const password = secretFromEnvOrGap('signingPasswordEnv', raw.signingPasswordEnv, { env, what: 'the .p12 password' }, paths.gaps);
  if (password && !isMissing(password)) secrets.push(...password.mask);
  const passwordText = password === undefined ? '' : isMissing(password) ? password.missing : password.text;
  if (isMissing(p12)) return { p12: Buffer.alloc(0), password: passwordText, label: p12.missing, missing: true };
  return { p12: p12.bytes, path, password: passwordText, label: p12.source };
}

/** The App Store Connect API key (.p8, key ID, issuer ID). The key text is added to `secrets`. */
export function normalizeApiKey(raw: Current<ApiKeyOptions>, paths: OptionPaths, env: NodeJS.ProcessEnv, secrets: string[]): ApiKeyInput | undefined {
  if (!isAbsent(raw.apiKey) && !isAbsent(raw.apiKeyEnv)) {
    throw new UserError('apiKey', 'both apiKey and apiKeyEnv are set', 'Give the .p8 either as a path or as the name of an env var holding it, not both');
  }
  if (isAbsent(raw.apiKey) && isAbsent(raw.apiKeyEnv)) {
    if (!isAbsent(raw.apiKeyId) || !isAbsent(raw.apiKeyIssuerId)) {
      throw new UserError('apiKey', `${!isAbsent(raw.apiKeyId) ? 'apiKeyId' : 'apiKeyIssuerId'} is set but no key is given`, 'Set apiKey (the AuthKey_<id>.p8 file) or apiKeyEnv (env var holding it)');
    }
    return undefined;
  }
  const what = 'the App Store Connect API key (.p8)';
  const option = isAbsent(raw.apiKey) ? 'apiKeyEnv' : 'apiKey';
  const path = pathFrom(paths, 'apiKey', raw.apiKey, {
    mustExist: 'file',
    fix: 'Download the key (AuthKey_<id>.p8) from App Store Connect → Users and Access → Integrations and point apiKey at it (relative to the workspace root)',
  });
  const key = (path ? secretFromFile('apiKey', path, { what }) : secretFromEnvOrGap('apiKeyEnv', raw.apiKeyEnv, { env, decode: 'auto', what: `${what}, as its text or its base64` }, paths.gaps))!;
  if (!isMissing(key)) {
    secrets.push(...key.mask);
    if (!/-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----/.test(key.text)) {
      throw new UserError(option, `${key.source} is not an App Store Connect API key (.p8 private key)`, 'Use the AuthKey_<id>.p8 file downloaded from App Store Connect, unchanged');
    }
  }
  const id = isAbsent(raw.apiKeyId)
    ? paths.gaps.fill(new UserError('apiKeyId', 'is required with an API key', 'Give the 10-character Key ID shown next to the key in App Store Connect → Users and Access → Integrations'), unsetOption('apiKeyId'))
    : raw.apiKeyId;
  if (!isAbsent(raw.apiKeyId) && (typeof raw.apiKeyId !== 'string' || !KEY_ID.test(raw.apiKeyId))) throw new UserError('apiKeyId', `${JSON.stringify(raw.apiKeyId)} is not an App Store Connect key ID`, 'A key ID is 10 upper-case letters and digits, e.g. ABCDE12345');
  const issuerId = isAbsent(raw.apiKeyIssuerId)
    ? paths.gaps.fill(new UserError('apiKeyIssuerId', 'is required with an API key', 'Give the Issuer ID (a UUID) shown above the keys in App Store Connect → Users and Access → Integrations'), unsetOption('apiKeyIssuerId'))
    : raw.apiKeyIssuerId;
  if (!isAbsent(raw.apiKeyIssuerId) && (typeof raw.apiKeyIssuerId !== 'string' || !ISSUER_ID.test(raw.apiKeyIssuerId))) throw new UserError('apiKeyIssuerId', `${JSON.stringify(raw.apiKeyIssuerId)} is not an issuer ID`, 'The issuer ID is a UUID such as 69a6de70-03db-47e3-e053-5b8c7c11a4d1');
  if (isMissing(key)) return { id: id as string, issuerId: issuerId as string, p8: '', label: key.missing, missing: true };
  return { id: id as string, issuerId: issuerId as string, p8: key.text, label: key.source };
}

/**
 * Apple ID, team ID and app-specific password (for notarytool and altool
 * without an API key). In a dry run (see CredentialGaps) a password or team
 * ID not given is a placeholder.
 */
export function normalizeAppleId(raw: AppleIdOptions, env: NodeJS.ProcessEnv, secrets: string[], needTeam = true, gaps: CredentialGaps = new CredentialGaps()): AppleIdInput | undefined {
  if (isAbsent(raw.appleId)) {
    if (!isAbsent(raw.appSpecificPasswordEnv)) throw new UserError('appSpecificPasswordEnv', 'is set but appleId is not', 'Set appleId to the Apple ID the app-specific password belongs to');
    return undefined;
  }
  if (typeof raw.appleId !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(raw.appleId)) throw new UserError('appleId', `${JSON.stringify(raw.appleId)} is not an Apple ID`, 'An Apple ID is an email address');
  const secret = secretFromEnvOrGap('appSpecificPasswordEnv', raw.appSpecificPasswordEnv, { env, what: 'the app-specific password' }, gaps);
  let input: AppleIdInput;
  if (!secret) {
    const placeholder = gaps.fill(new UserError('appSpecificPasswordEnv', 'is required with appleId', 'Name the env var holding an app-specific password made at appleid.apple.com → Sign-In and Security'), unsetOption('appSpecificPasswordEnv'));
    input = { appleId: raw.appleId, password: placeholder, passwordEnv: placeholder, missing: true };
  } else if (isMissing(secret)) {
    input = { appleId: raw.appleId, password: secret.missing, passwordEnv: raw.appSpecificPasswordEnv as string, missing: true };
  } else {
    secrets.push(...secret.mask);
    input = { appleId: raw.appleId, password: secret.text, passwordEnv: raw.appSpecificPasswordEnv as string };
  }
  if (isAbsent(raw.teamId) && !needTeam) return input;
  if (isAbsent(raw.teamId)) {
    return { ...input, teamId: gaps.fill(new UserError('teamId', 'is required with appleId', 'Give your 10-character developer team ID (developer.apple.com → Membership details)'), unsetOption('teamId')) };
  }
  if (typeof raw.teamId !== 'string' || !TEAM_ID.test(raw.teamId)) throw new UserError('teamId', `${JSON.stringify(raw.teamId)} is not a team ID`, 'A team ID is 10 upper-case letters and digits, e.g. ABCDE12345');
  return { ...input, teamId: raw.teamId };
}

/** Provisioning profiles from paths and base64 env vars, read and checked (expiry included) before anything runs. */
export function normalizeProfiles(raw: { profiles?: unknown; profilesEnv?: unknown }, paths: OptionPaths, env: NodeJS.ProcessEnv, now = new Date()): ProvisioningProfile[] {
  const out: ProvisioningProfile[] = [];
  const check = (option: string, content: Buffer, source: string) => {
    let p: ProvisioningProfile;
    try {
      p = parseProvisioningProfile(content, source);
    } catch (e) {
      throw new UserError(option, `${source} ${(e as Error).message}`, 'Download the profile (.mobileprovision) from developer.apple.com → Profiles and use the file unchanged');
    }
    if (p.expires && p.expires.getTime() < now.getTime()) {
      throw new UserError(option, `profile "${p.name}" (${source}) expired on ${p.expires.toISOString().slice(0, 10)}`, 'Renew it in developer.apple.com → Profiles and use the new file');
    }
    if (out.some((q) => q.uuid === p.uuid)) return;
    out.push(p);
  };
  const files = stringListOption('profiles', raw.profiles, { example: 'apps/ios/certs/AppStore.mobileprovision' }) ?? [];
  for (const item of files) {
    const path = pathFrom(paths, 'profiles', item, { mustExist: 'file', fix: 'Point it at the .mobileprovision downloaded from developer.apple.com (relative to the workspace root)' })!;
    check('profiles', readFileSync(path), path);
  }
  const names = stringListOption('profilesEnv', raw.profilesEnv, { example: 'IOS_PROFILE_BASE64' }) ?? [];
  for (const name of names) {
    // A profile is not a secret: its bytes are installed, never masked.
    const profile = secretFromEnv('profilesEnv', name, { env, decode: 'base64', what: 'the base64 of a .mobileprovision' })!;
    check('profilesEnv', profile.bytes, profile.source);
  }
  return out;
}

/** A map of non-empty strings (bundle ID → profile). */
export function stringMap(raw: unknown, option: string, example: string): Record<string, string> {
  const map = plainObjectOption(option, raw, { example, what: 'a map' }) ?? {};
  for (const [k, v] of Object.entries(map)) if (typeof v !== 'string' || !v) throw new UserError(option, `value of "${k}" must be a non-empty string`, `Example: "${option}": ${example}`);
  return map as Record<string, string>;
}

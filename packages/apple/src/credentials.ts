import { readFileSync } from 'fs';
import { UserError } from '@shipfleet/core';
import { parseProvisioningProfile, ProvisioningProfile } from './profiles';
import { abs, envOption, isFile, isPlainObject } from './util';

/** Options that bring a signing certificate and an App Store Connect API key; shared by build-ios and sign-macos. */
export interface CertificateOptions {
  /** .p12 (certificate with its private key), as a path. */
  certificate?: string;
  /** Name of the env var holding the .p12 as base64 (the value is a secret). */
  certificateEnv?: string;
  /** Name of the env var holding the .p12 password. */
  certificatePasswordEnv?: string;
}

export interface ApiKeyOptions {
  /** App Store Connect API key (.p8), as a path. */
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
}

export interface ApiKeyInput {
  id: string;
  issuerId: string;
  /** The PEM text of the .p8: a secret. */
  p8: string;
  label: string;
}

export interface AppleIdInput {
  appleId: string;
  teamId?: string;
  password: string;
  passwordEnv: string;
}

const BASE64 = /^[A-Za-z0-9+/=_\-\s]+$/;
export const TEAM_ID = /^[A-Z0-9]{10}$/;
const KEY_ID = /^[A-Z0-9]{10}$/;
const ISSUER_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function decodeBase64(option: string, envName: string, value: string): Buffer {
  if (!BASE64.test(value)) throw new UserError(option, `${envName} is not base64`, `Encode the file with \`base64 -i <file> | tr -d '\\n'\` and store that in ${envName}`);
  const bytes = Buffer.from(value.replace(/\s+/g, ''), value.includes('-') || value.includes('_') ? 'base64url' : 'base64');
  if (!bytes.length) throw new UserError(option, `${envName} decodes to nothing`, `Store the base64 of the file in ${envName}`);
  return bytes;
}

/** The .p12 and its password, read and checked before anything runs. Secret values are added to `secrets`. */
export function normalizeCertificate(raw: CertificateOptions, base: string, env: NodeJS.ProcessEnv, secrets: string[]): CertificateInput | undefined {
  if (raw.certificate !== undefined && raw.certificateEnv !== undefined) {
    throw new UserError('certificate', 'both certificate and certificateEnv are set', 'Give the .p12 either as a path or as the name of an env var holding its base64, not both');
  }
  if (raw.certificate === undefined && raw.certificateEnv === undefined) {
    if (raw.certificatePasswordEnv !== undefined) throw new UserError('certificatePasswordEnv', 'is set but no certificate is given', 'Set certificate (a .p12 path) or certificateEnv (env var holding the base64 .p12)');
    return undefined;
  }
  let p12: Buffer;
  let label: string;
  let path: string | undefined;
  let option: string;
  if (raw.certificate !== undefined) {
    option = 'certificate';
    if (typeof raw.certificate !== 'string' || !raw.certificate) throw new UserError('certificate', 'must be the path of a .p12 file', 'Example: "certificate": "certs/distribution.p12"');
    path = abs(raw.certificate, base);
    if (!isFile(path)) throw new UserError('certificate', `${path} does not exist`, 'Export the certificate with its private key from Keychain Access as a .p12 and point certificate at it');
    p12 = readFileSync(path);
    label = path;
  } else {
    option = 'certificateEnv';
    const b64 = envOption('certificateEnv', raw.certificateEnv, env, 'the base64 of the .p12');
    secrets.push(b64);
    p12 = decodeBase64('certificateEnv', String(raw.certificateEnv), b64);
    label = `$${raw.certificateEnv}`;
  }
  // PKCS#12 is DER: a SEQUENCE (0x30) with a long-form length.
  if (p12.length < 16 || p12[0] !== 0x30) throw new UserError(option, `${label} is not a PKCS#12 (.p12) file`, 'Export the certificate together with its private key from Keychain Access (File → Export Items… → .p12)');
  let password = '';
  if (raw.certificatePasswordEnv !== undefined) {
    password = envOption('certificatePasswordEnv', raw.certificatePasswordEnv, env, 'the .p12 password');
    secrets.push(password);
  }
  return { p12, path, password, label };
}

/** The App Store Connect API key (.p8, key ID, issuer ID). The key text is added to `secrets`. */
export function normalizeApiKey(raw: ApiKeyOptions, base: string, env: NodeJS.ProcessEnv, secrets: string[]): ApiKeyInput | undefined {
  if (raw.apiKeyPath !== undefined && raw.apiKeyEnv !== undefined) {
    throw new UserError('apiKeyPath', 'both apiKeyPath and apiKeyEnv are set', 'Give the .p8 either as a path or as the name of an env var holding it, not both');
  }
  if (raw.apiKeyPath === undefined && raw.apiKeyEnv === undefined) {
    if (raw.apiKeyId !== undefined || raw.apiKeyIssuerId !== undefined) {
      throw new UserError('apiKeyPath', `${raw.apiKeyId !== undefined ? 'apiKeyId' : 'apiKeyIssuerId'} is set but no key is given`, 'Set apiKeyPath (the AuthKey_<id>.p8 file) or apiKeyEnv (env var holding it)');
    }
    return undefined;
  }
  let p8: string;
  let label: string;
  let option: string;
  if (raw.apiKeyPath !== undefined) {
    option = 'apiKeyPath';
    if (typeof raw.apiKeyPath !== 'string' || !raw.apiKeyPath) throw new UserError('apiKeyPath', 'must be the path of a .p8 file', 'Example: "apiKeyPath": "keys/AuthKey_ABCDE12345.p8"');
    const path = abs(raw.apiKeyPath, base);
    if (!isFile(path)) throw new UserError('apiKeyPath', `${path} does not exist`, 'Download the key (AuthKey_<id>.p8) from App Store Connect → Users and Access → Integrations and point apiKeyPath at it');
    p8 = readFileSync(path, 'utf8');
    label = path;
  } else {
    option = 'apiKeyEnv';
    const value = envOption('apiKeyEnv', raw.apiKeyEnv, env, 'the .p8 API key (its text, or its base64)');
    secrets.push(value);
    p8 = value.includes('-----BEGIN') ? value : decodeBase64('apiKeyEnv', String(raw.apiKeyEnv), value).toString('utf8');
    label = `$${raw.apiKeyEnv}`;
  }
  if (!/-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----/.test(p8)) {
    throw new UserError(option, `${label} is not an App Store Connect API key (.p8 private key)`, 'Use the AuthKey_<id>.p8 file downloaded from App Store Connect, unchanged');
  }
  secrets.push(p8);
  if (raw.apiKeyId === undefined) throw new UserError('apiKeyId', 'is required with an API key', 'Give the 10-character Key ID shown next to the key in App Store Connect → Users and Access → Integrations');
  if (typeof raw.apiKeyId !== 'string' || !KEY_ID.test(raw.apiKeyId)) throw new UserError('apiKeyId', `${JSON.stringify(raw.apiKeyId)} is not an App Store Connect key ID`, 'A key ID is 10 upper-case letters and digits, e.g. ABCDE12345');
  if (raw.apiKeyIssuerId === undefined) throw new UserError('apiKeyIssuerId', 'is required with an API key', 'Give the Issuer ID (a UUID) shown above the keys in App Store Connect → Users and Access → Integrations');
  if (typeof raw.apiKeyIssuerId !== 'string' || !ISSUER_ID.test(raw.apiKeyIssuerId)) throw new UserError('apiKeyIssuerId', `${JSON.stringify(raw.apiKeyIssuerId)} is not an issuer ID`, 'The issuer ID is a UUID such as 69a6de70-03db-47e3-e053-5b8c7c11a4d1');
  return { id: raw.apiKeyId, issuerId: raw.apiKeyIssuerId, p8, label };
}

/** Apple ID, team ID and app-specific password (for notarytool and altool without an API key). */
export function normalizeAppleId(raw: AppleIdOptions, env: NodeJS.ProcessEnv, secrets: string[], needTeam = true): AppleIdInput | undefined {
  if (raw.appleId === undefined) {
    if (raw.appSpecificPasswordEnv !== undefined) throw new UserError('appSpecificPasswordEnv', 'is set but appleId is not', 'Set appleId to the Apple ID the app-specific password belongs to');
    return undefined;
  }
  if (typeof raw.appleId !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(raw.appleId)) throw new UserError('appleId', `${JSON.stringify(raw.appleId)} is not an Apple ID`, 'An Apple ID is an email address');
  if (raw.appSpecificPasswordEnv === undefined) throw new UserError('appSpecificPasswordEnv', 'is required with appleId', 'Name the env var holding an app-specific password made at appleid.apple.com → Sign-In and Security');
  const password = envOption('appSpecificPasswordEnv', raw.appSpecificPasswordEnv, env, 'the app-specific password');
  secrets.push(password);
  if (raw.teamId === undefined && !needTeam) return { appleId: raw.appleId, password, passwordEnv: raw.appSpecificPasswordEnv };
  if (raw.teamId === undefined) throw new UserError('teamId', 'is required with appleId', 'Give your 10-character developer team ID (developer.apple.com → Membership details)');
  if (typeof raw.teamId !== 'string' || !TEAM_ID.test(raw.teamId)) throw new UserError('teamId', `${JSON.stringify(raw.teamId)} is not a team ID`, 'A team ID is 10 upper-case letters and digits, e.g. ABCDE12345');
  return { appleId: raw.appleId, teamId: raw.teamId, password, passwordEnv: raw.appSpecificPasswordEnv };
}

/** Provisioning profiles from paths and base64 env vars, read and checked (expiry included) before anything runs. */
export function normalizeProfiles(raw: { profiles?: unknown; profilesEnv?: unknown }, base: string, env: NodeJS.ProcessEnv, now = new Date()): ProvisioningProfile[] {
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
  for (const [option, value] of [['profiles', raw.profiles], ['profilesEnv', raw.profilesEnv]] as const) {
    if (value === undefined) continue;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !v)) {
      throw new UserError(option, 'must be a list of strings', option === 'profiles' ? 'Example: "profiles": ["certs/AppStore.mobileprovision"]' : 'Example: "profilesEnv": ["IOS_PROFILE_BASE64"]');
    }
    for (const item of value as string[]) {
      if (option === 'profiles') {
        const path = abs(item, base);
        if (!isFile(path)) throw new UserError('profiles', `${path} does not exist`, 'Point it at the .mobileprovision downloaded from developer.apple.com');
        check('profiles', readFileSync(path), path);
      } else {
        const b64 = envOption('profilesEnv', item, env, 'the base64 of a .mobileprovision');
        check('profilesEnv', decodeBase64('profilesEnv', item, b64), `$${item}`);
      }
    }
  }
  return out;
}

export function stringMap(raw: unknown, option: string, example: string): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (!isPlainObject(raw)) throw new UserError(option, 'must be a map', `Example: ${example}`);
  for (const [k, v] of Object.entries(raw)) if (typeof v !== 'string' || !v) throw new UserError(option, `value of "${k}" must be a non-empty string`, `Example: ${example}`);
  return raw as Record<string, string>;
}

import { existsSync, readFileSync } from 'fs';
import { XMLParser } from 'fast-xml-parser';
import { dirname, join, resolve } from 'path';

/** One certificate of a Tizen Studio certificate profile. */
export interface TizenProfileCertificate {
  /** Absolute path of the .p12. */
  key: string;
  /** Absolute path of the CA certificate kept beside it, when the profile names one. */
  ca?: string;
  /**
   * The stored password attribute: plain text, an encrypted value or the path
   * of a .pwd file depending on the Tizen Studio version. Never used; kept so
   * that it can be masked.
   */
  storedPassword?: string;
}

export interface TizenProfile {
  name: string;
  author?: TizenProfileCertificate;
  /** distributor="1": signs signature1.xml. */
  distributor?: TizenProfileCertificate;
  /** distributor="2": an optional second distributor (signature2.xml). */
  secondDistributor?: TizenProfileCertificate;
}

export interface TizenProfiles {
  /** The profiles.xml read. */
  path: string;
  /** The profile `tizen package` signs with when none is named. */
  active?: string;
  profiles: TizenProfile[];
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (n) => n === 'profile' || n === 'profileitem' });

/**
 * Reads the profiles.xml of Tizen Studio's Certificate Manager:
 * `<profiles active="…"><profile name="…"><profileitem ca="…" distributor="0|1|2" key="….p12" password="…" rootca=""/>…`.
 * Tizen Studio writes absolute paths; a relative one is read against the
 * folder holding profiles.xml. Throws a plain Error on a file that is not one.
 */
export function parseTizenProfiles(xml: string, path: string): TizenProfiles {
  let doc: { profiles?: { '@active'?: string; profile?: Array<{ '@name'?: string; profileitem?: Array<Record<string, string>> }> } };
  try {
    doc = parser.parse(xml);
  } catch {
    throw new Error(`${path} is not well-formed XML`);
  }
  if (!doc.profiles || typeof doc.profiles !== 'object') throw new Error(`${path} has no <profiles> element: it is not a Tizen Studio profiles.xml`);
  const base = dirname(path);
  const file = (value: string | undefined) => (value && value.trim() ? resolve(base, value.trim()) : undefined);
  const profiles = (doc.profiles.profile ?? []).map((p): TizenProfile => {
    const profile: TizenProfile = { name: String(p['@name'] ?? '') };
    for (const item of p.profileitem ?? []) {
      const key = file(item['@key']);
      if (!key) continue;
      const cert: TizenProfileCertificate = { key, ca: file(item['@ca']), storedPassword: item['@password'] || undefined };
      const slot = ({ '0': 'author', '1': 'distributor', '2': 'secondDistributor' } as const)[String(item['@distributor']) as '0' | '1' | '2'];
      if (slot) profile[slot] = cert;
    }
    return profile;
  });
  const active = doc.profiles['@active'];
  return { path, active: active ? String(active) : undefined, profiles };
}

export function readTizenProfiles(path: string): TizenProfiles {
  return parseTizenProfiles(readFileSync(path, 'utf8'), path);
}

/** Where Tizen Studio's Certificate Manager keeps profiles.xml: ~/tizen-studio-data/profile/profiles.xml. */
export function defaultTizenProfilesPath(env: NodeJS.ProcessEnv): string | undefined {
  const home = env.HOME || env.USERPROFILE;
  if (!home) return undefined;
  const path = join(home, 'tizen-studio-data', 'profile', 'profiles.xml');
  return existsSync(path) ? path : undefined;
}

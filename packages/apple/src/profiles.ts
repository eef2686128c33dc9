import plist from 'plist';
import { isPlainObject } from '@shipfleet/core';

export interface ProvisioningProfile {
  uuid: string;
  name: string;
  teamId?: string;
  /** From the application-identifier entitlement, team prefix removed; may be a wildcard such as com.example.*. */
  bundleId?: string;
  expires?: Date;
  /** What the profile allows: app-store, ad-hoc, enterprise or development. */
  kind: 'app-store' | 'ad-hoc' | 'enterprise' | 'development';
  platforms: string[];
  /** The file as given: CMS-signed, installed byte for byte. */
  content: Buffer;
  /** The path or env var it came from, for messages. */
  source: string;
}

const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

/**
 * Reads a .mobileprovision: a CMS (PKCS#7) signed message whose content is
 * an XML property list, stored as is; the plist is the bytes from `<?xml` to
 * `</plist>`. The signature is not checked here (Xcode does).
 */
export function parseProvisioningProfile(content: Buffer, source: string): ProvisioningProfile {
  // latin1 keeps one character per byte, so indexes are byte offsets.
  const text = content.toString('latin1');
  const start = text.indexOf('<?xml');
  const end = text.indexOf('</plist>', start);
  if (start < 0 || end < 0) throw new Error('holds no property list (is it a .mobileprovision?)');
  let data: unknown;
  try {
    data = plist.parse(content.subarray(start, end + '</plist>'.length).toString('utf8'));
  } catch (e) {
    throw new Error(`its property list cannot be read: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!isPlainObject(data)) throw new Error('its property list is not a dictionary');
  const uuid = data.UUID;
  if (typeof uuid !== 'string' || !UUID.test(uuid)) throw new Error('has no valid UUID');
  const name = typeof data.Name === 'string' ? data.Name : uuid;
  const teamId = Array.isArray(data.TeamIdentifier) && typeof data.TeamIdentifier[0] === 'string' ? data.TeamIdentifier[0] : undefined;
  const ent = isPlainObject(data.Entitlements) ? data.Entitlements : {};
  const appId = typeof ent['application-identifier'] === 'string' ? ent['application-identifier'] : undefined;
  const prefix = Array.isArray(data.ApplicationIdentifierPrefix) && typeof data.ApplicationIdentifierPrefix[0] === 'string' ? data.ApplicationIdentifierPrefix[0] : teamId;
  const bundleId = appId ? (prefix && appId.startsWith(prefix + '.') ? appId.slice(prefix.length + 1) : appId.slice(appId.indexOf('.') + 1)) : undefined;
  const kind = data.ProvisionsAllDevices === true ? 'enterprise' : Array.isArray(data.ProvisionedDevices) ? (ent['get-task-allow'] === true ? 'development' : 'ad-hoc') : 'app-store';
  return {
    uuid,
    name,
    teamId,
    bundleId,
    expires: data.ExpirationDate instanceof Date ? data.ExpirationDate : undefined,
    kind,
    platforms: Array.isArray(data.Platform) ? data.Platform.map(String) : [],
    content,
    source,
  };
}

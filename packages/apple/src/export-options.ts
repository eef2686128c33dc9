import plist, { PlistObject, PlistValue } from 'plist';
import { exportMethodName, ExportMethod, XcodeVersion } from './xcode';

export interface ExportOptionsInput {
  method: ExportMethod;
  teamId?: string;
  signingStyle: 'automatic' | 'manual';
  /** Bundle identifier → provisioning profile name or UUID (manual signing). */
  provisioningProfiles: Record<string, string>;
  /** Certificate name, SHA-1 or automatic selector (manual signing). */
  signingCertificate?: string;
  /** export: write the file locally; upload: Xcode uploads it to App Store Connect. */
  destination: 'export' | 'upload';
  uploadSymbols: boolean;
}

/**
 * The keys of ExportOptions.plist as `xcodebuild -help` documents them:
 * method (named for the installed Xcode), teamID, signingStyle, destination,
 * provisioningProfiles and signingCertificate (manual signing), and for App
 * Store exports uploadSymbols and manageAppVersionAndBuildNumber (false: the
 * version and build number are the ones this build set).
 */
export function exportOptions(o: ExportOptionsInput, xcode: Pick<XcodeVersion, 'major' | 'minor'>): PlistObject {
  const out: Record<string, PlistValue> = { method: exportMethodName(o.method, xcode) };
  if (o.teamId) out.teamID = o.teamId;
  out.signingStyle = o.signingStyle;
  out.destination = o.destination;
  if (Object.keys(o.provisioningProfiles).length) out.provisioningProfiles = { ...o.provisioningProfiles };
  if (o.signingCertificate) out.signingCertificate = o.signingCertificate;
  if (o.method === 'app-store-connect') {
    out.uploadSymbols = o.uploadSymbols;
    out.manageAppVersionAndBuildNumber = false;
  }
  return out;
}

export function exportOptionsPlist(o: ExportOptionsInput, xcode: Pick<XcodeVersion, 'major' | 'minor'>): string {
  return plist.build(exportOptions(o, xcode)) + '\n';
}

/** An entitlements property list from a map of entitlement keys. */
export function entitlementsPlist(entitlements: Record<string, unknown>): string {
  return plist.build(entitlements as PlistObject) + '\n';
}

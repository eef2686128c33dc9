// Builders for test inputs: Xcode projects, provisioning profiles, key material, macOS app bundles.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import plist from 'plist';

export const TEAM = 'ABCDE12345';
export const KEY_ID = 'KEY1234567';
export const ISSUER = '69a6de70-03db-47e3-e053-5b8c7c11a4d1';

export function tempDir(prefix = 'shipfleet-apple-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

function write(path: string, content: string | Buffer, mode?: number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content, mode !== undefined ? { mode } : undefined);
}

const scheme = (name: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<Scheme LastUpgradeVersion = "1500" version = "1.7">\n   <ArchiveAction buildConfiguration = "Release" revealArchiveInOrganizer = "YES"></ArchiveAction>\n</Scheme>\n`;

export interface IosProjectSpec {
  name?: string;
  /** Folder inside the project root that holds the Xcode project ('' for the root). */
  subdir?: string;
  workspace?: boolean;
  sharedSchemes?: string[];
  podfile?: { pods: string[]; lock?: 'same' | 'different' | 'missing' | 'no-manifest' };
  packageVersion?: string;
  gemfileWithCocoapods?: boolean;
}

/** A project folder with an .xcodeproj (and optionally a workspace, Podfile, package.json). */
export function iosProject(spec: IosProjectSpec = {}): string {
  const root = tempDir('shipfleet-ios-');
  const name = spec.name ?? 'App';
  const dir = join(root, spec.subdir ?? '');
  write(join(dir, `${name}.xcodeproj`, 'project.pbxproj'), '// !$*UTF8*$!\n{ archiveVersion = 1; objectVersion = 56; }\n');
  for (const s of spec.sharedSchemes ?? [name]) write(join(dir, `${name}.xcodeproj`, 'xcshareddata', 'xcschemes', `${s}.xcscheme`), scheme(s));
  if (spec.workspace) {
    write(join(dir, `${name}.xcworkspace`, 'contents.xcworkspacedata'), `<?xml version="1.0" encoding="UTF-8"?>\n<Workspace version = "1.0">\n   <FileRef location = "group:${name}.xcodeproj"></FileRef>\n   <FileRef location = "group:Pods/Pods.xcodeproj"></FileRef>\n</Workspace>\n`);
  }
  if (spec.podfile) {
    const pods = spec.podfile.pods;
    write(join(dir, 'Podfile'), `platform :ios, '15.0'\ntarget '${name}' do\n${pods.map((p) => `  pod '${p}'`).join('\n')}\nend\n`);
    const lock = `PODS:\n${pods.map((p) => `  - ${p} (1.0.0)`).join('\n')}\n\nCOCOAPODS: 1.15.2\n`;
    const mode = spec.podfile.lock ?? 'same';
    if (mode !== 'missing') write(join(dir, 'Podfile.lock'), lock);
    if (mode === 'same') write(join(dir, 'Pods', 'Manifest.lock'), lock);
    if (mode === 'different') write(join(dir, 'Pods', 'Manifest.lock'), lock.replace('1.0.0', '0.9.0'));
  }
  if (spec.gemfileWithCocoapods) write(join(root, 'Gemfile'), "source 'https://rubygems.org'\ngem 'cocoapods', '1.15.2'\n");
  if (spec.packageVersion !== undefined) write(join(root, 'package.json'), JSON.stringify({ name: 'app', version: spec.packageVersion }));
  return root;
}

export interface ProfileSpec {
  uuid?: string;
  name?: string;
  teamId?: string;
  bundleId?: string;
  kind?: 'app-store' | 'ad-hoc' | 'enterprise' | 'development';
  expires?: Date;
}

/** A .mobileprovision shaped like Apple's: DER (CMS) bytes around an XML property list. */
export function mobileprovision(spec: ProfileSpec = {}): Buffer {
  const team = spec.teamId ?? TEAM;
  const kind = spec.kind ?? 'app-store';
  const data: Record<string, unknown> = {
    AppIDName: 'Example',
    ApplicationIdentifierPrefix: [team],
    CreationDate: new Date('2025-01-01T00:00:00Z'),
    Platform: ['iOS', 'xrOS', 'visionOS'],
    DeveloperCertificates: [Buffer.from('certificate-der')],
    Entitlements: {
      'application-identifier': `${team}.${spec.bundleId ?? 'com.example.app'}`,
      'com.apple.developer.team-identifier': team,
      'get-task-allow': kind === 'development',
      'keychain-access-groups': [`${team}.*`],
    },
    ExpirationDate: spec.expires ?? new Date(Date.now() + 300 * 24 * 3600 * 1000),
    Name: spec.name ?? 'Example App Store',
    TeamIdentifier: [team],
    TeamName: 'Example Inc',
    TimeToLive: 365,
    UUID: spec.uuid ?? '0f8fad5b-d9cb-469f-a165-70867728950e',
    Version: 1,
  };
  if (kind === 'ad-hoc' || kind === 'development') data.ProvisionedDevices = ['00008030-001A2B3C4D5E6F70'];
  if (kind === 'enterprise') data.ProvisionsAllDevices = true;
  const xml = plist.build(data as plist.PlistObject);
  // CMS SignedData header bytes, the content, then signer bytes: the layout of a real profile.
  return Buffer.concat([Buffer.from([0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80, 0x30, 0x80, 0x02, 0x01, 0x01]), Buffer.from(xml, 'utf8'), Buffer.from([0xa0, 0x82, 0x0b, 0x12, 0x30, 0x82, 0x04, 0x34, 0x00, 0x00])]);
}

/** Bytes that look like a PKCS#12 file (DER SEQUENCE); the stand-ins do not parse it. */
export function fakeP12(): Buffer {
  return Buffer.concat([Buffer.from([0x30, 0x82, 0x0a, 0x1c, 0x02, 0x01, 0x03, 0x30, 0x82, 0x09, 0xe2]), Buffer.from('p12-key-material-for-tests-'.repeat(8))]);
}

export const P8 = '-----BEGIN PRIVATE KEY-----\nMIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQgTestOnlyKeyMaterial\nQQ1234567890abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123\nSecretLineThreeOfTheKey4567890\n-----END PRIVATE KEY-----\n';

const MACHO = Buffer.concat([Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 0x0c, 0x00, 0x00, 0x01]), Buffer.alloc(56)]);

function bundle(path: string, exe: string, id: string): void {
  write(join(path, 'Contents', 'Info.plist'), plist.build({ CFBundleExecutable: exe, CFBundleIdentifier: id, CFBundlePackageType: 'APPL' }));
  write(join(path, 'Contents', 'MacOS', exe), MACHO, 0o755);
}

/**
 * A macOS app with nested code: a versioned framework (with symlinks), a
 * dylib, a login-item helper app that has its own framework, an XPC service,
 * a command-line helper tool, and plain resources that are not code.
 */
export function macApp(parent: string, name = 'Example'): string {
  const app = join(parent, `${name}.app`);
  bundle(app, name, 'com.example.mac');
  write(join(app, 'Contents', 'Resources', 'icon.icns'), 'not code');
  write(join(app, 'Contents', 'Resources', 'script.sh'), '#!/bin/sh\necho hi\n', 0o755);
  const fw = join(app, 'Contents', 'Frameworks', 'Sparkle.framework');
  write(join(fw, 'Versions', 'A', 'Sparkle'), MACHO, 0o755);
  write(join(fw, 'Versions', 'A', 'Resources', 'Info.plist'), plist.build({ CFBundleExecutable: 'Sparkle', CFBundleIdentifier: 'org.sparkle-project.Sparkle' }));
  write(join(fw, 'Versions', 'A', 'XPCServices', 'Downloader.xpc', 'Contents', 'Info.plist'), plist.build({ CFBundleExecutable: 'Downloader' }));
  write(join(fw, 'Versions', 'A', 'XPCServices', 'Downloader.xpc', 'Contents', 'MacOS', 'Downloader'), MACHO, 0o755);
  symlinkSync('A', join(fw, 'Versions', 'Current'));
  symlinkSync('Versions/Current/Sparkle', join(fw, 'Sparkle'));
  symlinkSync('Versions/Current/Resources', join(fw, 'Resources'));
  write(join(app, 'Contents', 'Frameworks', 'libcrypto.3.dylib'), MACHO, 0o755);
  const helper = join(app, 'Contents', 'Library', 'LoginItems', 'Helper.app');
  bundle(helper, 'Helper', 'com.example.mac.helper');
  write(join(helper, 'Contents', 'Frameworks', 'HelperKit.framework', 'Versions', 'A', 'HelperKit'), MACHO, 0o755);
  symlinkSync('A', join(helper, 'Contents', 'Frameworks', 'HelperKit.framework', 'Versions', 'Current'));
  write(join(app, 'Contents', 'XPCServices', 'Renderer.xpc', 'Contents', 'Info.plist'), plist.build({ CFBundleExecutable: 'Renderer' }));
  write(join(app, 'Contents', 'XPCServices', 'Renderer.xpc', 'Contents', 'MacOS', 'Renderer'), MACHO, 0o755);
  write(join(app, 'Contents', 'MacOS', 'example-cli'), MACHO, 0o755);
  // A resource bundle without code: not signed on its own.
  write(join(app, 'Contents', 'Resources', 'Assets.bundle', 'Contents', 'Resources', 'a.png'), 'png');
  return app;
}

export function writeFileIn(path: string, content: string | Buffer, mode?: number): string {
  write(path, content, mode);
  return path;
}

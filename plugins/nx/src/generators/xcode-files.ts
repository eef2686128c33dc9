import { createHash } from 'crypto';

/** A 24-hex-digit Xcode object id, stable for a given seed. */
const oid = (seed: string) => createHash('sha1').update(seed).digest('hex').slice(0, 24).toUpperCase();

export type XcodeSdk = 'iphoneos' | 'appletvos' | 'watchos' | 'xros' | 'macosx';

export interface XcodeProjectSpec {
  product: string;
  bundleId: string;
  sdk: XcodeSdk;
  version: string;
  teamId?: string;
}

/** A minimal Xcode project (one app target, Debug/Release) that xcodebuild can list and archive. */
export function pbxproj(s: XcodeProjectSpec): string {
  const id = (k: string) => oid(`${s.product}:${k}`);
  const deployment: Record<XcodeSdk, string> = {
    iphoneos: 'IPHONEOS_DEPLOYMENT_TARGET = 16.0;',
    appletvos: 'TVOS_DEPLOYMENT_TARGET = 16.0;',
    watchos: 'WATCHOS_DEPLOYMENT_TARGET = 9.0;',
    xros: 'XROS_DEPLOYMENT_TARGET = 1.0;',
    macosx: 'MACOSX_DEPLOYMENT_TARGET = 13.0;',
  };
  const settings = (config: string) => `\t\t${id(`cfg-${config}`)} /* ${config} */ = {
\t\t\tisa = XCBuildConfiguration;
\t\t\tbuildSettings = {
\t\t\t\tCODE_SIGN_STYLE = Automatic;
\t\t\t\tCURRENT_PROJECT_VERSION = 1;
${s.teamId ? `\t\t\t\tDEVELOPMENT_TEAM = ${s.teamId};\n` : ''}\t\t\t\tGENERATE_INFOPLIST_FILE = NO;
\t\t\t\tINFOPLIST_FILE = ${s.product}/Info.plist;
\t\t\t\tMARKETING_VERSION = ${s.version};
\t\t\t\tPRODUCT_BUNDLE_IDENTIFIER = ${s.bundleId};
\t\t\t\tPRODUCT_NAME = "$(TARGET_NAME)";
\t\t\t\tSDKROOT = ${s.sdk};
\t\t\t\tSWIFT_VERSION = 5.0;
\t\t\t\t${deployment[s.sdk]}
\t\t\t};
\t\t\tname = ${config};
\t\t};
`;
  const configList = (key: string) => `\t\t${id(key)} = {
\t\t\tisa = XCConfigurationList;
\t\t\tbuildConfigurations = (
\t\t\t\t${id('cfg-Debug')} /* Debug */,
\t\t\t\t${id('cfg-Release')} /* Release */,
\t\t\t);
\t\t\tdefaultConfigurationName = Release;
\t\t};
`;
  return `// !$*UTF8*$!
{
\tarchiveVersion = 1;
\tclasses = {
\t};
\tobjectVersion = 56;
\tobjects = {

/* Begin PBXBuildFile section */
\t\t${id('build-src')} /* App.swift in Sources */ = {isa = PBXBuildFile; fileRef = ${id('file-src')} /* App.swift */; };
/* End PBXBuildFile section */

/* Begin PBXFileReference section */
\t\t${id('file-src')} /* App.swift */ = {isa = PBXFileReference; lastKnownFileType = sourcecode.swift; path = App.swift; sourceTree = "<group>"; };
\t\t${id('file-plist')} /* Info.plist */ = {isa = PBXFileReference; lastKnownFileType = text.plist.xml; path = Info.plist; sourceTree = "<group>"; };
\t\t${id('file-product')} /* ${s.product}.app */ = {isa = PBXFileReference; explicitFileType = wrapper.application; includeInIndex = 0; path = ${s.product}.app; sourceTree = BUILT_PRODUCTS_DIR; };
/* End PBXFileReference section */

/* Begin PBXGroup section */
\t\t${id('group-main')} = {
\t\t\tisa = PBXGroup;
\t\t\tchildren = (
\t\t\t\t${id('group-app')} /* ${s.product} */,
\t\t\t\t${id('group-products')} /* Products */,
\t\t\t);
\t\t\tsourceTree = "<group>";
\t\t};
\t\t${id('group-app')} /* ${s.product} */ = {
\t\t\tisa = PBXGroup;
\t\t\tchildren = (
\t\t\t\t${id('file-src')} /* App.swift */,
\t\t\t\t${id('file-plist')} /* Info.plist */,
\t\t\t);
\t\t\tpath = ${s.product};
\t\t\tsourceTree = "<group>";
\t\t};
\t\t${id('group-products')} /* Products */ = {
\t\t\tisa = PBXGroup;
\t\t\tchildren = (
\t\t\t\t${id('file-product')} /* ${s.product}.app */,
\t\t\t);
\t\t\tname = Products;
\t\t\tsourceTree = "<group>";
\t\t};
/* End PBXGroup section */

/* Begin PBXNativeTarget section */
\t\t${id('target')} /* ${s.product} */ = {
\t\t\tisa = PBXNativeTarget;
\t\t\tbuildConfigurationList = ${id('cfglist-target')} /* Build configuration list for PBXNativeTarget "${s.product}" */;
\t\t\tbuildPhases = (
\t\t\t\t${id('phase-sources')} /* Sources */,
\t\t\t);
\t\t\tname = ${s.product};
\t\t\tproductName = ${s.product};
\t\t\tproductReference = ${id('file-product')} /* ${s.product}.app */;
\t\t\tproductType = "com.apple.product-type.application";
\t\t};
/* End PBXNativeTarget section */

/* Begin PBXProject section */
\t\t${id('project')} /* Project object */ = {
\t\t\tisa = PBXProject;
\t\t\tbuildConfigurationList = ${id('cfglist-project')} /* Build configuration list for PBXProject "${s.product}" */;
\t\t\tcompatibilityVersion = "Xcode 14.0";
\t\t\tmainGroup = ${id('group-main')};
\t\t\tproductRefGroup = ${id('group-products')} /* Products */;
\t\t\tprojectDirPath = "";
\t\t\tprojectRoot = "";
\t\t\ttargets = (
\t\t\t\t${id('target')} /* ${s.product} */,
\t\t\t);
\t\t};
/* End PBXProject section */

/* Begin PBXSourcesBuildPhase section */
\t\t${id('phase-sources')} /* Sources */ = {
\t\t\tisa = PBXSourcesBuildPhase;
\t\t\tfiles = (
\t\t\t\t${id('build-src')} /* App.swift in Sources */,
\t\t\t);
\t\t};
/* End PBXSourcesBuildPhase section */

/* Begin XCBuildConfiguration section */
${settings('Debug')}${settings('Release')}/* End XCBuildConfiguration section */

/* Begin XCConfigurationList section */
${configList('cfglist-target')}${configList('cfglist-project')}/* End XCConfigurationList section */
\t};
\trootObject = ${id('project')} /* Project object */;
}
`;
}

export function sharedScheme(product: string): string {
  const id = oid(`${product}:target`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<Scheme LastUpgradeVersion = "1500" version = "1.7">
   <BuildAction parallelizeBuildables = "YES" buildImplicitDependencies = "YES">
      <BuildActionEntries>
         <BuildActionEntry buildForTesting = "YES" buildForRunning = "YES" buildForProfiling = "YES" buildForArchiving = "YES" buildForAnalyzing = "YES">
            <BuildableReference BuildableIdentifier = "primary" BlueprintIdentifier = "${id}" BuildableName = "${product}.app" BlueprintName = "${product}" ReferencedContainer = "container:${product}.xcodeproj">
            </BuildableReference>
         </BuildActionEntry>
      </BuildActionEntries>
   </BuildAction>
   <ArchiveAction buildConfiguration = "Release" revealArchiveInOrganizer = "YES">
   </ArchiveAction>
</Scheme>
`;
}

/** The Info.plist keys every app bundle built from this project needs (values filled in by Xcode). */
export const APP_BUNDLE_KEYS = {
  CFBundleExecutable: '$(EXECUTABLE_NAME)',
  CFBundleIdentifier: '$(PRODUCT_BUNDLE_IDENTIFIER)',
  CFBundleName: '$(PRODUCT_NAME)',
  CFBundlePackageType: 'APPL',
  CFBundleShortVersionString: '$(MARKETING_VERSION)',
  CFBundleVersion: '$(CURRENT_PROJECT_VERSION)',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Info.plist (XML property list) with the keys every app bundle needs. */
export function infoPlist(entries: Record<string, string | boolean>): string {
  const body = Object.entries(entries)
    .map(([k, v]) => `\t<key>${esc(k)}</key>\n\t${typeof v === 'boolean' ? `<${v}/>` : `<string>${esc(v)}</string>`}`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n<dict>\n${body}\n</dict>\n</plist>\n`;
}

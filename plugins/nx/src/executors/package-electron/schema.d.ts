// Generated from schema.json by tools/schema-types.mjs: edit schema.json, then run `node tools/schema-types.mjs`.

/** Package an Electron app with electron-builder's API: the project's own configuration plus targets, archs, output folder, version and build number; publish never (publish-github-release publishes, sign-macos notarizes). */
export interface PackageElectronExecutorOptions {
  /** The folder holding the app's package.json, relative to the workspace root (default: the project root). */
  projectDir?: string;
  /** An electron-builder configuration file; default electron-builder's own lookup (package.json build, electron-builder.yml|json|…). */
  config?: string;
  /** The OSes to package on this run; default the ones this machine's runner builds (mac on macOS; win and linux on Linux). */
  platforms?: ("mac" | "win" | "linux")[];
  /** mac targets: dmg, zip, pkg, mas, dir… (default the config's mac.target, else dmg and zip). */
  mac?: string[];
  /** win targets: nsis, msi, portable, zip, dir… (default the config's win.target, else nsis). */
  win?: string[];
  /** linux targets: AppImage, deb, rpm, tar.gz, zip, dir… (default the config's linux.target, else AppImage). */
  linux?: string[];
  /** mac archs (x64, arm64, universal); default the config's, else this machine's. */
  macArch?: ("x64" | "arm64" | "ia32" | "armv7l" | "universal")[];
  /** win archs (x64, arm64, ia32); default the config's, else this machine's. */
  winArch?: ("x64" | "arm64" | "ia32" | "armv7l" | "universal")[];
  /** linux archs (x64, arm64, armv7l); default the config's, else this machine's. */
  linuxArch?: ("x64" | "arm64" | "ia32" | "armv7l" | "universal")[];
  /** directories.output (default the config's, else dist/<projectRoot>). */
  outputPath?: string;
  /** The app version (default package.json's). */
  version?: string;
  /** The build number (default $GITHUB_RUN_NUMBER): electron-builder makes buildVersion <version>.<n>. */
  buildNumber?: string;
  /** buildVersion as a whole, instead of the build number. */
  buildVersion?: string;
  /** A local Electron: an unpacked folder, an electron-v<version>-<os>-<arch>.zip, or a folder of such zips (offline CI). */
  electronDist?: string;
  /** The Electron version, with electronDist. */
  electronVersion?: string;
  /** Where Electron is downloaded from (electronDownload.mirror; also ELECTRON_MIRROR). */
  electronMirror?: string;
  /** A 7za executable for zip/7z/tar targets (ELECTRON_BUILDER_7ZIP_PATH), instead of a download. */
  sevenZipPath?: string;
  /** Mirror of electron-builder's other tools (ELECTRON_BUILDER_BINARIES_MIRROR). */
  binariesMirror?: string;
  /** electron-builder's download cache (ELECTRON_BUILDER_CACHE). */
  cacheDir?: string;
  /** The mac (or all) signing .p12 as a file: CSC_LINK. */
  signingCert?: string;
  /** Name of the env var holding the base64 .p12: CSC_LINK. */
  signingCertEnv?: string;
  /** Name of the env var holding its password: CSC_KEY_PASSWORD. */
  signingPasswordEnv?: string;
  /** The Windows signing .p12 as a file: WIN_CSC_LINK. */
  winSigningCert?: string;
  /** Name of the env var holding the base64 Windows .p12: WIN_CSC_LINK. */
  winSigningCertEnv?: string;
  /** Name of the env var holding its password: WIN_CSC_KEY_PASSWORD. */
  winSigningPasswordEnv?: string;
  /**
   * Print the plan and run nothing.
   * @default false
   */
  dryRun?: boolean;
  /** Write the plan (secrets masked) as JSON to this file. */
  planJson?: string;
  /** Append every line of the run (secrets masked) to this file. */
  logFile?: string;
}

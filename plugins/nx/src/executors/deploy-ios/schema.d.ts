// Generated from schema.json by tools/schema-types.mjs: edit schema.json, then run `node tools/schema-types.mjs`.

/** build-ios, then upload to TestFlight / App Store Connect with altool or a fastlane lane. */
export interface DeployIosExecutorOptions {
  /**
   * ios (default), tvos, watchos or visionos.
   * @default "ios"
   */
  platform?: string;
  /** .xcworkspace, relative to the workspace root (default: found in the project). */
  workspace?: string;
  /** .xcodeproj, relative to the workspace root (default: found in the project). */
  project?: string;
  /** Scheme (default: the only shared scheme, or from xcodebuild -list). */
  scheme?: string;
  /**
   * Build configuration (default Release).
   * @default "Release"
   */
  configuration?: string;
  /**
   * app-store-connect (default), release-testing, enterprise, debugging (old names accepted); written as the installed Xcode names it.
   * @default "app-store-connect"
   */
  exportMethod?: string;
  /**
   * export (default) or upload.
   * @default "export"
   */
  exportDestination?: string;
  /** automatic or manual. */
  signingStyle?: string;
  /** Apple developer team id (default: the profiles' team). */
  teamId?: string;
  /** Bundle id → profile name or UUID (manual signing). */
  provisioningProfiles?: Record<string, string>;
  /** Certificate name for ExportOptions (e.g. Apple Distribution). */
  signingCertificate?: string;
  /**
   * App Store exports: upload the symbols (dSYMs) with the export.
   * @default true
   */
  uploadSymbols?: boolean;
  /** x.y.z (default: the project's package.json version). */
  marketingVersion?: string;
  /** Build number (default: the CI run number). */
  buildNumber?: string | number;
  /** .mobileprovision paths, relative to the workspace root, to install for the build. */
  profiles?: string[];
  /** Names of env vars holding base64 .mobileprovision files. */
  profilesEnv?: string[];
  /**
   * Archive/export folder, relative to the workspace root.
   * @default "{projectRoot}/build/shipfleet"
   */
  outputPath?: string;
  /**
   * auto (default: pod install when Podfile.lock is out of date), always, never.
   * @default "auto"
   */
  pods?: string;
  /** Stop each xcodebuild run (archive, export) after this long: a duration such as "45m" or "1h30m", or a number of seconds. */
  timeout?: string | number;
  /**
   * Deprecated: use timeout (a duration). Seconds.
   * @deprecated use timeout
   */
  timeoutSeconds?: number;
  /** Signing .p12 path, relative to the workspace root (imported into a temporary keychain). */
  signingCert?: string;
  /** Name of the env var holding the .p12 as base64 (secret). */
  signingCertEnv?: string;
  /** Name of the env var holding the .p12 password (secret). */
  signingPasswordEnv?: string;
  /** App Store Connect API key (.p8) path, relative to the workspace root. */
  apiKey?: string;
  /** Name of the env var holding the .p8 content or its base64 (secret). */
  apiKeyEnv?: string;
  /** App Store Connect API key id. */
  apiKeyId?: string;
  /** App Store Connect issuer id. */
  apiKeyIssuerId?: string;
  /**
   * Deprecated: use signingCert.
   * @deprecated use signingCert
   */
  certificate?: string;
  /**
   * Deprecated: use signingCertEnv.
   * @deprecated use signingCertEnv
   */
  certificateEnv?: string;
  /**
   * Deprecated: use signingPasswordEnv.
   * @deprecated use signingPasswordEnv
   */
  certificatePasswordEnv?: string;
  /**
   * Deprecated: use apiKey.
   * @deprecated use apiKey
   */
  apiKeyPath?: string;
  /**
   * altool (default) or fastlane.
   * @default "altool"
   */
  upload?: string;
  /** With upload: fastlane, the lane that uploads (receives ipa:<path>). */
  fastlaneLane?: string;
  /** Apple ID for altool when no API key is given. */
  appleId?: string;
  /** Name of the env var holding the app-specific password (secret). */
  appSpecificPasswordEnv?: string;
  /**
   * Upload attempts, 1 to 10, with backoff (about 30 s, then doubling, at most 2 min).
   * @default 3
   */
  uploadAttempts?: number;
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

// Generated from schema.json by tools/schema-types.mjs: edit schema.json, then run `node tools/schema-types.mjs`.

/** Sign a macOS .app inside-out (hardened runtime, timestamps), notarize (status must be Accepted), staple, validate and assess. */
export interface SignMacosExecutorOptions {
  /** The .app to sign and notarize, relative to the workspace root. */
  app?: string;
  /** Signing identity, e.g. Developer ID Application: Example Inc (TEAMID). */
  identity?: string;
  /**
   * Sign the app; false to only notarize an app signed before.
   * @default true
   */
  sign?: boolean;
  /** Path inside the app ('.' is the app) → entitlements plist path (relative to the workspace root) or map. */
  entitlements?: Record<string, string | Record<string, unknown>>;
  /**
   * Notarize with notarytool.
   * @default true
   */
  notarize?: boolean;
  /** Submit this .dmg/.pkg/.zip (relative to the workspace root) instead of a zip of the app. */
  notarizeFile?: string;
  /**
   * Staple the ticket and validate it.
   * @default true
   */
  staple?: boolean;
  /**
   * How long to wait for Apple's verdict: a duration such as "45m" or "2h", or a number of seconds.
   * @default "1h"
   */
  notarizeTimeout?: string | number;
  /**
   * Deprecated: use notarizeTimeout (a duration). Seconds.
   * @deprecated use notarizeTimeout
   */
  notarizeTimeoutSeconds?: number;
  /** Apple ID for notarytool when no API key is given. */
  appleId?: string;
  /** Team id for notarytool with an Apple ID. */
  teamId?: string;
  /** Name of the env var holding the app-specific password (secret). */
  appSpecificPasswordEnv?: string;
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
   * Print the plan and run nothing.
   * @default false
   */
  dryRun?: boolean;
  /** Write the plan (secrets masked) as JSON to this file. */
  planJson?: string;
  /** Append every line of the run (secrets masked) to this file. */
  logFile?: string;
}

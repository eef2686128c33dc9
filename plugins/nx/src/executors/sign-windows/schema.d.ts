// Generated from schema.json by tools/schema-types.mjs: edit schema.json, then run `node tools/schema-types.mjs`.

/** Authenticode-sign Windows files (.exe, .msi, .dll…) with SHA-256 and an RFC 3161 timestamp: osslsigncode on any OS, signtool on Windows, or a cloud signing command; each signature verified before it replaces the file. */
export interface SignWindowsExecutorOptions {
  /** osslsigncode (default osslsigncode: any OS), signtool (Windows runners) or command (a cloud signing tool). */
  method?: "osslsigncode" | "signtool" | "command";
  /** Files to sign in place: paths or globs relative to the workspace root (dist/apps/desktop/*.exe). Required. */
  files: string[];
  /** The .p12 (certificate with its private key), relative to the workspace root. */
  signingCert?: string;
  /** Name of the env var holding the base64 of the .p12. */
  signingCertEnv?: string;
  /** Name of the env var holding the .p12 password. */
  signingPasswordEnv?: string;
  /**
   * Deprecated: the old name of signingCert.
   * @deprecated use signingCert
   */
  certificate?: string;
  /**
   * Deprecated: the old name of signingCertEnv.
   * @deprecated use signingCertEnv
   */
  certificateEnv?: string;
  /**
   * Deprecated: the old name of signingPasswordEnv.
   * @deprecated use signingPasswordEnv
   */
  certificatePasswordEnv?: string;
  /** signtool: the SHA-1 thumbprint of a certificate in the Windows certificate store (/sha1), instead of a .p12. */
  certificateSha1?: string;
  /** signtool: the store to search (/s), default My. */
  certificateStore?: string;
  /** signtool: search the machine's store rather than the user's (/sm). */
  machineStore?: boolean;
  /** Add an RFC 3161 timestamp, so the signature outlives the certificate (default true). */
  timestamp?: boolean;
  /** Time-stamp authority (default http://timestamp.digicert.com); osslsigncode tries a list in turn. */
  timestampUrl?: string | string[];
  /** Shown by Windows as the program's name in the UAC prompt (-n / /d). */
  description?: string;
  /** A URL about the program (-i / /du). */
  descriptionUrl?: string;
  /** PEM file of CA certificates to verify with (osslsigncode verify -CAfile); default the system's. */
  caFile?: string;
  /** method command: argv with {file} (and {output} for a signed copy), run once per file. */
  command?: string[];
  /** method command: names of the env vars holding the command's credentials (passed to it only, masked). */
  secretEnv?: string[];
  /** Verify each signature after signing (default true). */
  verify?: boolean;
  /** The osslsigncode program (default osslsigncode). */
  osslsigncodePath?: string;
  /** The signtool program (default signtool). */
  signtoolPath?: string;
  /** Limit for signing one file, e.g. 5m (default 5m). */
  timeout?: string | number;
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

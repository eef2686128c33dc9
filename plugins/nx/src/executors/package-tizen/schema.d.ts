// Generated from schema.json by tools/schema-types.mjs: edit schema.json, then run `node tools/schema-types.mjs`.

/** Package a built web app as a signed Samsung Tizen .wgt (author + distributor signatures), in Node, with no Tizen Studio. Certificates come from files or base64 env vars; passwords only from env vars. */
export interface PackageTizenExecutorOptions {
  /** Built app folder holding config.xml, relative to the workspace root ({projectRoot} and {workspaceRoot} are replaced). Default: the build target's output, else dist/<projectRoot>, else the project root. */
  appDir?: string;
  /** Folder the .wgt is written to, relative to the workspace root. Default: dist/shipfleet/<project>. */
  outputPath?: string;
  /** Path of the author .p12, relative to the workspace root. */
  authorCert?: string;
  /** Name of the env var holding the author .p12 as base64 (secret). */
  authorCertEnv?: string;
  /** Name of the env var holding the author .p12 password (secret). */
  authorPasswordEnv?: string;
  /** Path of the CA certificate (.cer/.crt, PEM or DER) that issued the author certificate, relative to the workspace root: needed when the .p12 holds only your certificate, as Tizen Studio's profiles keep it (the profile's ca="…" file). */
  authorCaCert?: string;
  /** Name of the env var holding the author CA certificate (PEM, or base64 of the .cer). */
  authorCaCertEnv?: string;
  /** Path of the distributor .p12, relative to the workspace root. */
  distributorCert?: string;
  /** Name of the env var holding the distributor .p12 as base64 (secret). */
  distributorCertEnv?: string;
  /** Name of the env var holding the distributor .p12 password (secret). */
  distributorPasswordEnv?: string;
  /** Path of the CA certificate that issued the distributor certificate (e.g. Tizen Studio's tizen-distributor-ca.cer), relative to the workspace root. */
  distributorCaCert?: string;
  /** Name of the env var holding the distributor CA certificate (PEM, or base64 of the .cer). */
  distributorCaCertEnv?: string;
  /** Tizen Studio Certificate Manager's profiles.xml, relative to the workspace root: the .p12 and CA files come from the profile; passwords from authorPasswordEnv and distributorPasswordEnv. Without any certificate option, ~/tizen-studio-data/profile/profiles.xml is used when it exists. */
  profilesXml?: string;
  /** Profile of profilesXml to sign with. Default: its active profile. */
  profile?: string;
  /** Sign with self-signed development certificates made in devCertDir: checks the package structure only; no TV, emulator or store accepts them. */
  devCertificates?: boolean;
  /** Store release: real author and distributor certificates required. Default: true for the production configuration. */
  release?: boolean;
  /**
   * Where development certificates (devCertificates) are generated and kept, relative to the workspace root.
   * @default ".shipfleet/tizen"
   */
  devCertDir?: string;
  /**
   * Run Tizen's own tizen package instead (Tizen CLI on PATH).
   * @default false
   */
  useTizenCli?: boolean;
  /**
   * Digest of every signature reference and of the RSA signatures: sha512 (RSA-SHA512, what current Tizen Studio writes) or sha256 (RSA-SHA256).
   * @default "sha512"
   */
  digest?: "sha512" | "sha256";
  /** Check this .wgt (path relative to the workspace root, from shipfleet or Tizen Studio) and package nothing: both signature files, every file referenced by both signatures, every digest and signature value. Fails listing each problem. */
  verify?: string;
  /** Security profile for tizen package -s (with useTizenCli). */
  tizenProfile?: string;
  /**
   * Print the plan and run nothing.
   * @default false
   */
  dryRun?: boolean;
  /** Write the plan (secrets masked) as JSON to this file. */
  planJson?: string;
  /** Append every line of the run (secrets masked) to this file. */
  logFile?: string;
  /** Globs (relative to appDir) left out of the package. Default: none for a build output; project.json, package.json, tsconfig*.json, jest.config.*, **\/*.spec.* and node_modules/** when appDir is the project folder. */
  exclude?: string[];
  /** After packaging, install the .wgt on these TVs for QA: an address (192.168.1.20, 192.168.1.20:26101, tv.lan:26101; connected with sdb connect) or a serial from sdb devices (emulator-26101), installed with tizen install. Every device is tried; the run then fails listing the devices that failed. Needs the Tizen CLI (tizen) and sdb on PATH. */
  installOn?: string | string[];
}

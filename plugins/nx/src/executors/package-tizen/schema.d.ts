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
  /** Path of the distributor .p12, relative to the workspace root. */
  distributorCert?: string;
  /** Name of the env var holding the distributor .p12 as base64 (secret). */
  distributorCertEnv?: string;
  /** Name of the env var holding the distributor .p12 password (secret). */
  distributorPasswordEnv?: string;
  /** Store release: real author and distributor certificates required. Default: true for the production configuration. */
  release?: boolean;
  /**
   * Where development certificates are generated and kept, relative to the workspace root.
   * @default ".shipfleet/tizen"
   */
  devCertDir?: string;
  /**
   * Run Tizen's own tizen package instead (Tizen CLI on PATH).
   * @default false
   */
  useTizenCli?: boolean;
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
}

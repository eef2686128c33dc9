// Generated from schema.json by tools/schema-types.mjs: edit schema.json, then run `node tools/schema-types.mjs`.

/** Package a built web app as an LG webOS .ipk (<id>_<version>_all.ipk), in Node, with no webOS CLI. */
export interface PackageWebosExecutorOptions {
  /** Built app folder holding appinfo.json, relative to the workspace root ({projectRoot} and {workspaceRoot} are replaced). Default: the build target's output, else dist/<projectRoot>, else the project root. */
  appDir?: string;
  /** Folder the .ipk is written to, relative to the workspace root. Default: dist/shipfleet/<project>. */
  outputPath?: string;
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
  /** After packaging, install the .ipk on these devices for QA (names set up with ares-setup-device, e.g. tv), with ares-install. Every device is tried; the run then fails listing the devices that failed. Needs the webOS CLI (ares-install) on PATH. */
  installOn?: string | string[];
}

// Generated from schema.json by tools/schema-types.mjs: edit schema.json, then run `node tools/schema-types.mjs`.

/** Publish files to a GitHub release: a draft for the tag, every file uploaded (same-named assets replaced, 5xx retried), the electron-updater feeds (latest.yml, latest-mac.yml, latest-linux.yml) written from what was uploaded, then published once every asset is up. */
export interface PublishGithubReleaseExecutorOptions {
  /** Files to upload: paths or globs (*, **, {a,b}) relative to the workspace root; {projectRoot} may be written. Required. Any artefact: installers, a .wgt, an .ipk, an .apk. */
  files: string[];
  /** The version released (semver, no leading v). Default: the version in the project's package.json. */
  version?: string;
  /** The release's tag. Default v<version>. */
  tag?: string;
  /** The release's title. Default: the tag. */
  name?: string;
  /** Release notes as text (or notes: a Markdown file). */
  body?: string;
  /** Release notes from a Markdown file relative to the workspace root (instead of body). */
  notes?: string;
  /** Repository owner. Default: from $GITHUB_REPOSITORY, else the workspace's origin remote. */
  owner?: string;
  /** Repository name. Default: from $GITHUB_REPOSITORY, else the workspace's origin remote. */
  repo?: string;
  /** Commit or branch GitHub tags on publishing when the tag does not exist yet. Default $GITHUB_SHA when set. */
  commitish?: string;
  /** Mark the release as a pre-release (default false). */
  prerelease?: boolean;
  /** Publish once every asset is up (default true); false leaves the draft for a person to publish. */
  publish?: boolean;
  /** electron-updater feeds: "auto" (default auto: written when the files are electron-builder output), true (always) or false (never). */
  feeds?: "auto" | boolean;
  /** Name of the env var holding the GitHub token (default GITHUB_TOKEN); the token is only ever sent as the Authorization header. */
  tokenEnv?: string;
  /** REST API base URL (default https://api.github.com, or $GITHUB_API_URL when set); GitHub Enterprise Server: https://<host>/api/v3. */
  apiUrl?: string;
  /** Longest time one upload may take: a duration such as 45m, or milliseconds (default 30m). */
  uploadTimeout?: string | number;
  /** Assets other jobs upload to the same draft (names, * globs such as latest-linux*.yml): publish only once the draft holds each, else leave it a draft and succeed; the job that uploads last publishes. Inferred for a deploy split per runner. */
  waitFor?: string[];
  /**
   * Print the plan (the files matched now, the feeds) and call nothing.
   * @default false
   */
  dryRun?: boolean;
  /** Write the plan (secrets masked) as JSON to this file. */
  planJson?: string;
  /** Append every line of the run (secrets masked) to this file. */
  logFile?: string;
}

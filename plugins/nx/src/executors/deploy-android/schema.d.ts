// Generated from schema.json by tools/schema-types.mjs: edit schema.json, then run `node tools/schema-types.mjs`.

/** build-android, then publish through the Google Play Developer API: an edit, the bundle or APK (resumable upload), deobfuscation files, the release on a track, validate, commit. Also promote, staged rollout, halt, resume and complete. Credentials come from an env var (PLAY_SERVICE_ACCOUNT_JSON by default), a file, or application default credentials, never from a flag. */
export interface DeployAndroidExecutorOptions {
  /** The app's applicationId, e.g. com.acme.app (inferred from the Gradle build). */
  packageName?: string;
  /** upload (default upload: build or take artifact, then publish), promote (copy a release from fromTrack to track), rollout (new userFraction of the in-progress release), halt, resume or complete. */
  action?: string;
  /** internal, alpha, beta, production, a custom closed-testing track, or a form-factor track such as wear:production, automotive:internal, tv:beta (default internal). */
  track?: string;
  /** promote: the track the release is copied from. */
  fromTrack?: string;
  /** promote: the release with exactly these version codes (default: the newest on fromTrack). */
  versionCodes?: number[];
  /** upload and promote: completed (the default), inProgress (a staged rollout, with userFraction), draft or halted. */
  status?: string;
  /** Fraction of users for a staged rollout, above 0 and below 1 (0.05 = 5 %). */
  userFraction?: number;
  /** The release's name (default: "<versionName> (<versionCode>)" when the version name is known, else Play's own). */
  releaseName?: string;
  /** Release notes by language, e.g. {"en-US": "Bug fixes"}, at most 500 characters each; win over the fastlane files. */
  releaseNotes?: Record<string, string>;
  /** fastlane supply's metadata folder: <language>/changelogs/<versionCode>.txt or default.txt (relative to the workspace root; default {projectRoot}/fastlane/metadata/android). */
  metadataDir?: string;
  /** In-app update priority of the release, 0 to 5. */
  inAppUpdatePriority?: number;
  /** The first commit's flag: auto (default auto) and false commit for review; true commits with changesNotSentForReview (the changes wait in Play Console). When Play answers that the app needs the other way, the commit is made once more that way. */
  changesNotSentForReview?: boolean | string;
  /** Name of the env var holding the service-account key JSON or an external_account (workload identity federation) JSON, raw or base64 (default PLAY_SERVICE_ACCOUNT_JSON; without it, GOOGLE_APPLICATION_CREDENTIALS or the metadata server). */
  serviceAccountKeyEnv?: string;
  /** A file holding the service-account key JSON or an external_account JSON, relative to the workspace root (instead of serviceAccountKeyEnv). */
  credentialsFile?: string;
  /** API base URL (default https://androidpublisher.googleapis.com); plain http only to 127.0.0.1, localhost or [::1]. */
  apiUrl?: string;
  /** Where a service account's JWT grant is sent (default https://oauth2.googleapis.com/token), for private endpoints. */
  tokenUrl?: string;
  /** Resumable upload chunk, a multiple of 256 KiB: bytes or "8MiB" (default 8388608 bytes, 8 MiB). */
  chunkSize?: number | string;
  /** Longest wait for one Play API call or upload chunk: a duration such as "2m" or a number of seconds (default 2m). The build keeps build-android's own limit. */
  timeout?: string | number;
  /** upload: an .aab or .apk to publish as it is, relative to the workspace root; nothing is built. */
  artifact?: string;
  /** upload: the R8/ProGuard mapping.txt, uploaded as proguard deobfuscation file (default: the build's, when it wrote one). */
  mapping?: string;
  /** upload: native-debug-symbols.zip, uploaded as nativeCode deobfuscation file (default: the build's, when it wrote one). */
  nativeSymbols?: string;
  /** Build: the Gradle module of the app, as build-android. */
  module?: string;
  /** Build: the product flavor, as build-android. */
  flavor?: string;
  /** Build: the build type (default release), as build-android. */
  buildType?: string;
  /** Build: aab (default aab) or apk, as build-android. */
  format?: string;
  /** Build: the version name (as build-android); names the release. */
  versionName?: string;
  /** Build: the version code, as build-android. */
  versionCode?: number;
  /** Build: added to the version code taken from CI (default 0), as build-android. */
  versionCodeOffset?: number;
  /** Build: the upload keystore file, as build-android. */
  keystore?: string;
  /** Build: name of the env var holding the upload keystore as base64, as build-android. */
  keystoreEnv?: string;
  /** Build: name of the env var holding the keystore password, as build-android. */
  keystorePasswordEnv?: string;
  /** Build: the key's alias in the keystore, as build-android. */
  keyAlias?: string;
  /** Build: name of the env var holding the key alias, as build-android. */
  keyAliasEnv?: string;
  /** Build: name of the env var holding the key password, as build-android. */
  keyPasswordEnv?: string;
  /** Build: run Gradle without its daemon, as build-android. */
  noDaemon?: boolean;
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

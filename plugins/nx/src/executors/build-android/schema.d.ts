// Generated from schema.json by tools/schema-types.mjs: edit schema.json, then run `node tools/schema-types.mjs`.

/** Build and sign an Android app bundle or APK: a native Gradle build or a React Native app through the project's own Gradle wrapper, or a Flutter app through flutter build. The upload key comes from a keystore file or an env var holding its base64; passwords only from env vars, never on a command line. The signature is verified and the certificate's SHA-256 printed. */
export interface BuildAndroidExecutorOptions {
  /** Gradle and React Native: the application module, a folder under the Gradle build or its Gradle path (default: app, else the included module applying com.android.application). */
  module?: string;
  /** The product flavor (flavors of several dimensions joined camel-case, e.g. prodFree); the variant is flavor + buildType (prodRelease). */
  flavor?: string;
  /** The build type (default release); Flutter builds release only. */
  buildType?: string;
  /** aab (default aab: an Android App Bundle, what Google Play wants) or apk. */
  format?: string;
  /** The version name (default: the project's package.json version, or pubspec.yaml's version before the +). Gradle gets it as the property shipfleetVersionName, Flutter as --build-name. */
  versionName?: string;
  /** The version code, 1 to 2100000000, higher than every upload before (default: the CI run number, GITHUB_RUN_NUMBER, CI_PIPELINE_IID or BUILD_NUMBER, plus versionCodeOffset). Gradle gets it as the property shipfleetVersionCode, Flutter as --build-number. */
  versionCode?: number;
  /** Added to the CI run number when versionCode is not given (default 0), e.g. to stay above codes uploaded before. */
  versionCodeOffset?: number;
  /** The upload keystore file, .jks or .p12 (relative to the workspace root). Give this or keystoreEnv to sign; without either (and without ANDROID_KEYSTORE_BASE64 set) the build is unsigned. */
  keystore?: string;
  /** Name of the env var holding the upload keystore as base64 (default: ANDROID_KEYSTORE_BASE64 when it is set and keystore is not given); decoded into a private temp folder that is removed at the end. */
  keystoreEnv?: string;
  /** Name of the env var holding the keystore password; required with a keystore (default with ANDROID_KEYSTORE_BASE64: ANDROID_KEYSTORE_PASSWORD). */
  keystorePasswordEnv?: string;
  /** The upload key's alias in the keystore, e.g. upload. */
  keyAlias?: string;
  /** Name of the env var holding the key alias, instead of keyAlias (default with ANDROID_KEYSTORE_BASE64: ANDROID_KEY_ALIAS). */
  keyAliasEnv?: string;
  /** Name of the env var holding the key password (default: ANDROID_KEY_PASSWORD when ANDROID_KEYSTORE_BASE64 signs and it is set, else the keystore password's variable). */
  keyPasswordEnv?: string;
  /** Gradle: run without the Gradle daemon (default: true when the CI env var is set, else false). */
  noDaemon?: boolean;
  /** Longest the build may take: a duration such as "45m" or a number of seconds (default 60m). */
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

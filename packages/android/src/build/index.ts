// Building and signing Android apps: native Gradle, Flutter and React Native projects.
export { ANDROID_BUILD_DEFAULTS, resolveAndroidBuild, variantName } from './options';
export type { AndroidBuildContext, AndroidBuildFormat, AndroidBuildOptions, ResolvedAndroidBuild } from './options';
export { buildAndroidBuildPlan, buildAndroidBuildSteps } from './plan';
export type { AndroidBuildSteps } from './plan';
export type { AndroidBuildResult, SigningCertificate } from './verify';
export { colonFingerprint, parseApksignerCertificates, parseJarSigners } from './verify';
export { detectAndroidProject } from './project';
export type { AndroidBuildKind, AndroidBuildProject } from './project';
export { gradleTask, gradleEnvironment, INJECTED_SIGNING, GRADLE_PROPERTY_PREFIX } from './gradle';
export { CI_RUN_NUMBER_VARIABLES, MAX_VERSION_CODE } from './version';
export type { ResolvedSigning } from './signing-options';

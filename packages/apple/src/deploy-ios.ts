import { existsSync } from 'fs';
import { join } from 'path';
import { isPlainObject, oneOfOption, positiveIntegerOption, RetryPolicy, runStep, RunStep, Step, UserError } from '@shipfleet/core';
import { ApplePlan, BUILD_IOS_DEFAULTS, BuildIosOptions, buildIosPlan, NormalizedBuildIosOptions, normalizeBuildIosOptions } from './build-ios';
import { AppleIdInput, normalizeAppleId, placeholderApiKey } from './credentials';
import { optionPaths, OptionsContext } from './option-reading';
import { stringOption } from './util';
import { ApplePlatform, PLATFORM_INFO } from './xcode';

export interface DeployIosOptions extends BuildIosOptions {
  /** altool (default), or fastlane: a lane of the project's Fastfile uploads (run by the caller, see deployIosPlan). */
  upload?: 'altool' | 'fastlane';
  /** The lane that uploads, with upload: fastlane. */
  fastlaneLane?: string;
  /** Apple ID for altool when there is no API key; the password is read by altool from the env var (`-p @env:NAME`). */
  appleId?: string;
  appSpecificPasswordEnv?: string;
  /** Attempts for the upload, with backoff (UPLOAD_RETRY): about 30 s before the second, doubling after (default 3). */
  uploadAttempts?: number;
}

/** How a failed upload is retried: App Store Connect's upload service recovers in minutes, not seconds. */
export const UPLOAD_RETRY: RetryPolicy = { attempts: 3, delayMs: 30_000, factor: 2, maxDelayMs: 120_000, jitter: 0.2 };

/** What deploy-ios uses for an option left out: build-ios's defaults and the upload's. */
export const DEPLOY_IOS_DEFAULTS = {
  ...BUILD_IOS_DEFAULTS,
  upload: 'altool',
  uploadAttempts: UPLOAD_RETRY.attempts,
} as const;

export interface NormalizedDeployIosOptions {
  build: NormalizedBuildIosOptions;
  upload: 'altool' | 'fastlane';
  fastlane?: { lane: string; fastfile: string };
  appleId?: AppleIdInput;
  /** Dry runs only: no App Store Connect credentials are given; the upload shows placeholders. */
  uploadAuthMissing?: boolean;
  uploadAttempts: number;
  secrets: string[];
}

/** Validates deploy-ios options: build-ios's (paths read as build-ios reads them), plus how the build reaches App Store Connect. */
export function normalizeDeployIosOptions(raw: Partial<DeployIosOptions>, projectRoot: string, env: NodeJS.ProcessEnv = process.env, context: OptionsContext = {}): NormalizedDeployIosOptions {
  if (!isPlainObject(raw)) throw new UserError('options', 'must be an object', 'Pass the executor options as a map');
  const { upload: uploadRaw, fastlaneLane, appleId, appSpecificPasswordEnv, uploadAttempts: attemptsRaw, ...buildRaw } = raw;
  const build = normalizeBuildIosOptions(buildRaw, projectRoot, env, context);
  if (build.exportOptions.method !== 'app-store-connect') {
    throw new UserError('exportMethod', `a ${build.exportOptions.method} build cannot be uploaded to App Store Connect`, 'Use exportMethod app-store-connect (the default) for deploy-ios, or build-ios for other methods');
  }
  if (build.exportOptions.destination !== 'export') {
    throw new UserError('exportDestination', 'deploy-ios uploads the exported file itself', 'Leave exportDestination at "export"');
  }
  const upload = oneOfOption('upload', uploadRaw, ['altool', 'fastlane'] as const) ?? DEPLOY_IOS_DEFAULTS.upload;
  const uploadAttempts =
    positiveIntegerOption('uploadAttempts', attemptsRaw, { max: 10, unit: 'attempts', fix: `Give 1 for a single attempt, up to 10, or leave it out for ${DEPLOY_IOS_DEFAULTS.uploadAttempts}` }) ?? DEPLOY_IOS_DEFAULTS.uploadAttempts;
  const secrets = [...build.secrets];
  if (upload === 'fastlane') {
    const lane = stringOption(fastlaneLane, 'fastlaneLane', 'Name the lane that uploads, e.g. "upload_testflight"');
    if (!lane) throw new UserError('fastlaneLane', 'is required with upload: fastlane', 'Name the lane of the Fastfile that uploads the .ipa');
    const fastfile = [join(projectRoot, 'fastlane', 'Fastfile'), join(projectRoot, 'Fastfile')].find((f) => existsSync(f));
    if (!fastfile) throw new UserError('upload', `is "fastlane" but there is no fastlane/Fastfile in ${projectRoot}`, 'Use upload: altool, or add the Fastfile');
    return { build, upload, fastlane: { lane, fastfile }, uploadAttempts, secrets };
  }
  if (fastlaneLane != null) throw new UserError('fastlaneLane', 'is set but upload is not "fastlane"', 'Set upload: fastlane, or drop fastlaneLane');
  const { gaps } = optionPaths(projectRoot, context);
  const appleIdAuth = normalizeAppleId({ appleId, appSpecificPasswordEnv }, env, secrets, false, gaps);
  if (!build.apiKey && !appleIdAuth) {
    const error = new UserError('apiKey', 'deploy-ios needs App Store Connect credentials to upload', 'Give an API key (apiKey or apiKeyEnv, with apiKeyId and apiKeyIssuerId), or appleId with appSpecificPasswordEnv');
    const shown = placeholderApiKey();
    gaps.fill(error, `${shown.label} (with ${shown.id} and ${shown.issuerId})`);
    return { build, upload, uploadAuthMissing: true, uploadAttempts, secrets };
  }
  return { build, upload, appleId: appleIdAuth, uploadAttempts, secrets };
}

export interface AltoolUpload {
  file: string;
  platform: ApplePlatform;
  apiKey?: { id: string; issuerId: string };
  /** Folder holding AuthKey_<id>.p8 (passed as API_PRIVATE_KEYS_DIR). */
  apiKeysDir?: string;
  /** `missing`: a dry run without the password (its variable is not declared to the step). */
  appleId?: { appleId: string; passwordEnv: string; missing?: boolean };
  attempts?: number;
}

/**
 * `xcrun altool --upload-app -f <file> -t <type>` with either the API key
 * (`--apiKey <id> --apiIssuer <issuer>`; altool reads AuthKey_<id>.p8 from
 * API_PRIVATE_KEYS_DIR, or ./private_keys, ~/private_keys, ~/.private_keys,
 * ~/.appstoreconnect/private_keys) or an Apple ID (`-u <id> -p @env:<NAME>`:
 * altool reads the password from that variable, so it is never an argument).
 */
export function altoolUploadArgs(u: AltoolUpload): string[] {
  const auth = u.apiKey ? ['--apiKey', u.apiKey.id, '--apiIssuer', u.apiKey.issuerId] : u.appleId ? ['-u', u.appleId.appleId, '-p', `@env:${u.appleId.passwordEnv}`] : [];
  return ['altool', '--upload-app', '-f', u.file, '-t', PLATFORM_INFO[u.platform].altoolType, ...auth];
}

/** deploy-ios's upload step, usable on its own. */
export function altoolUploadStep(u: AltoolUpload): RunStep {
  return runStep('Upload to App Store Connect (TestFlight)', 'xcrun', altoolUploadArgs(u), {
    ...(u.apiKey && u.apiKeysDir ? { env: { API_PRIVATE_KEYS_DIR: u.apiKeysDir } } : {}),
    ...(!u.apiKey && u.appleId && !u.appleId.missing ? { secretEnv: [u.appleId.passwordEnv] } : {}),
    ...(u.attempts && u.attempts > 1 ? { retry: { ...UPLOAD_RETRY, attempts: u.attempts } } : {}),
  });
}

/**
 * The steps that upload the exported file. `artifact` is the exported .ipa's
 * path as an argv element (a placeholder until the export has run); pass it
 * on to the upload command as is.
 */
export type UploadSteps = (artifact: string, build: ApplePlan) => Step[];

/**
 * deploy-ios as a plan: build-ios's plan, then the upload. With upload
 * "altool" the upload is altoolUploadStep. With upload "fastlane" the caller
 * passes the lane's steps as `uploadSteps` (e.g. from @shipfleet/fastlane's
 * buildFastlanePlan, with the artifact as a lane option); this library does
 * not depend on @shipfleet/fastlane.
 */
export function deployIosPlan(o: NormalizedDeployIosOptions, uploadSteps?: UploadSteps, deps: { workDir?: string } = {}): ApplePlan {
  const built = buildIosPlan(o.build, deps);
  const artifact = built.runtime.placeholder('artifact', `the .ipa exported to ${o.build.exportPath}`);
  let upload: Step[];
  if (uploadSteps) upload = uploadSteps(artifact, built);
  else if (o.upload === 'fastlane') throw new Error(`deploy-ios with upload "fastlane": pass the steps of fastlane lane "${o.fastlane?.lane}" as uploadSteps`);
  else {
    upload = [
      altoolUploadStep({
        file: artifact,
        platform: o.build.platform,
        apiKey: o.build.apiKey ?? (o.uploadAuthMissing ? placeholderApiKey() : undefined),
        apiKeysDir: built.signing.apiKeysDir,
        appleId: o.appleId ? { appleId: o.appleId.appleId, passwordEnv: o.appleId.passwordEnv, missing: o.appleId.missing } : undefined,
        attempts: o.uploadAttempts,
      }),
    ];
  }
  built.plan.steps.push(...upload);
  built.plan.title = built.plan.title.replace(/^build-ios/, 'deploy-ios');
  return { ...built, secrets: [...new Set([...o.secrets, ...built.secrets])] };
}

import { Plan, Step } from '@shipfleet/core';
import { flutterBuildStep, flutterSigningSteps } from './flutter';
import { gradleBuildStep } from './gradle';
import { stageKeystore } from './keystore';
import { ResolvedAndroidBuild, shownVersionCode } from './options';
import { AndroidBuildResult, verifyArtefactStep } from './verify';

export interface AndroidBuildSteps {
  steps: Step[];
  /** Secret values to mask (runPlan's `secrets`). */
  secrets: string[];
  /** Outputs known before running; the last step adds artifact, signingCertSha256, mapping and nativeSymbols. */
  outputs: Record<string, string>;
  /** Filled by the steps while they run: read it after (or in a later step of) the run. */
  result: AndroidBuildResult;
}

/**
 * build-android's steps, for a plan of their own or ahead of an upload:
 * stage the keystore (when given as base64), build (Gradle with the injected
 * signing properties, or flutter build then apksigner/jarsigner), verify and
 * print the signing certificate.
 */
export function buildAndroidBuildSteps(r: ResolvedAndroidBuild): AndroidBuildSteps {
  const staged = r.signing ? stageKeystore(r.signing) : undefined;
  const result: AndroidBuildResult = { versionCode: r.versionCode, versionName: r.versionName };
  const steps: Step[] = [...(staged?.steps ?? [])];
  if (r.kind === 'flutter') {
    steps.push(flutterBuildStep(r));
    if (staged) steps.push(...flutterSigningSteps(r, staged.path));
  } else {
    steps.push(gradleBuildStep(r, staged?.path));
  }
  steps.push(verifyArtefactStep(r, staged?.path, result));
  return { steps, secrets: [...r.secrets], outputs: { versionCode: shownVersionCode(r.versionCode), versionName: r.versionName }, result };
}

const KIND: Record<ResolvedAndroidBuild['kind'], string> = { gradle: 'Gradle', flutter: 'Flutter', 'react-native': 'React Native' };

export function buildAndroidBuildPlan(r: ResolvedAndroidBuild): { plan: Plan; secrets: string[]; result: AndroidBuildResult } {
  const { steps, secrets, outputs, result } = buildAndroidBuildSteps(r);
  const what = r.format === 'aab' ? 'app bundle' : 'APK';
  return {
    plan: { title: `Build the Android ${what} (${KIND[r.kind]}, ${r.variant}, ${r.versionName} / ${shownVersionCode(r.versionCode)})`, steps, outputs },
    secrets,
    result,
  };
}

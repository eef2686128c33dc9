// The platform registry: the only list of platforms. Inference, the deploy chain, `shipfleet matrix`
// and the CI generator iterate it. Order matters: it is the order of each project's deploy chain.
import { android } from './android';
import { apple, macos } from './apple';
import { container } from './container';
import { electron } from './desktop';
import { fastlane } from './fastlane';
import { supabase, terraform } from './infrastructure';
import { cloudRun } from './cloud-run';
import { canary, kubernetes } from './kubernetes';
import { Platform, Runner } from './platform';
import { tizen, webos } from './tv';
import { vercel } from './web';

// Infrastructure first: a project's own chain provisions before it deploys onto it.
export const PLATFORMS: readonly Platform<any>[] = [terraform, supabase, apple, macos, android, tizen, webos, vercel, electron, container, kubernetes, cloudRun, canary, fastlane];

/** GitHub-hosted runner label for each runner OS a target can need. */
export const RUNNER_LABELS: Record<Runner, string> = { macos: 'macos-latest', linux: 'ubuntu-latest', windows: 'windows-latest' };

/** Every repository secret the platforms' deploys read, each once, in registry order. */
export function ciSecrets(platforms: readonly Platform<any>[] = PLATFORMS): string[] {
  return [...new Set(platforms.flatMap((p) => p.ciSecrets))];
}

export * from './platform';

import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import { cleanupStep, runStep, Step, taskStep, TaskContext, writeStep } from '@shipfleet/core';
import { ApiKeyInput, CertificateInput } from './credentials';
import { ProvisioningProfile } from './profiles';
import { randomPassword, samePath } from './util';

/**
 * Signing material on a shared macOS runner, set up by ONE implementation
 * for build-ios and sign-macos: a private temporary folder, a temporary
 * keychain with a random password holding the .p12, provisioning profiles,
 * and the App Store Connect API key. Each thing gets its cleanup registered
 * before the step that creates it, so success, failure and SIGINT/SIGTERM
 * all leave the runner as it was: the keychain deleted, the search list
 * without it, decoded keys and installed profiles removed.
 */
export interface SigningSetupInput {
  certificate?: CertificateInput;
  profiles?: ProvisioningProfile[];
  apiKey?: ApiKeyInput;
  /** Private temporary folder (created 0700, removed at the end). */
  workDir: string;
  /** Home folder: profiles go to <home>/Library/MobileDevice/Provisioning Profiles. */
  home: string;
  /** Create workDir even without a certificate or key (e.g. for entitlements or a zip). */
  needWorkDir?: boolean;
}

export interface SigningSetup {
  steps: Step[];
  /** Secret values created here (the keychain password). */
  secrets: string[];
  workDir?: string;
  keychainPath?: string;
  p12Path?: string;
  /** <workDir>/private_keys/AuthKey_<id>.p8, where altool also looks (API_PRIVATE_KEYS_DIR). */
  apiKeyPath?: string;
  apiKeysDir?: string;
  profilesDir?: string;
}

export const SECURITY = 'security';
/** Tools allowed to use the imported key without a prompt. */
export const KEYCHAIN_TRUSTED_APPS = ['/usr/bin/codesign', '/usr/bin/security'];
/** Seconds before the temporary keychain locks itself (also on sleep). */
export const KEYCHAIN_LOCK_SECONDS = 21600;

/** Reads `security list-keychains` output: one quoted path per line. */
export function parseKeychainList(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.trim().replace(/^"(.*)"$/, '$1'))
    .filter(Boolean);
}

export function profilesFolder(home: string): string {
  // Xcode 16 keeps downloaded profiles in ~/Library/Developer/Xcode/UserData/Provisioning Profiles
  // and still loads the ones in this folder, which every Xcode reads.
  return join(home, 'Library', 'MobileDevice', 'Provisioning Profiles');
}

async function securityOut(ctx: TaskContext, args: string[]): Promise<string> {
  const r = await ctx.exec(SECURITY, args);
  if (r.exitCode !== 0) throw new Error(`security ${args[0]} exited with code ${r.exitCode}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

export function signingSetupSteps(input: SigningSetupInput): SigningSetup {
  const { certificate, apiKey, workDir } = input;
  const profiles = input.profiles ?? [];
  const setup: SigningSetup = { steps: [], secrets: [] };
  const steps = setup.steps;
  if (!certificate && !apiKey && !profiles.length && !input.needWorkDir) return setup;

  if (certificate || apiKey || input.needWorkDir) {
    setup.workDir = workDir;
    steps.push(
      cleanupStep('Remove the temporary folder', { kind: 'task', description: `rm -rf ${workDir}`, run: () => rmSync(workDir, { recursive: true, force: true }) }),
      taskStep('Create a private temporary folder', `mkdir -m 0700 ${workDir}`, () => {
        mkdirSync(workDir, { recursive: true, mode: 0o700 });
        chmodSync(workDir, 0o700);
      }),
    );
  }

  if (certificate) {
    const keychain = join(workDir, 'shipfleet-signing.keychain-db');
    const password = randomPassword();
    setup.keychainPath = keychain;
    setup.secrets.push(password);
    // `security` takes keychain and .p12 passwords only as arguments (or from a
    // prompt, and standard input is closed). The runner masks them in every
    // printed form; the keychain password is random and lives only for this run.
    steps.push(
      cleanupStep('Delete the temporary keychain', {
        kind: 'task',
        description: `security delete-keychain ${keychain}`,
        run: async (ctx) => {
          const r = await ctx.exec(SECURITY, ['delete-keychain', keychain]);
          if (r.exitCode === 0) ctx.log(`deleted ${keychain}`);
          else if (existsSync(keychain)) throw new Error(`security delete-keychain exited with code ${r.exitCode}: ${r.stderr.trim()}`);
          else ctx.log('no temporary keychain was created');
        },
      }),
      runStep('Create a temporary keychain', SECURITY, ['create-keychain', '-p', password, keychain]),
      runStep('Lock the keychain after 6 hours, and on sleep', SECURITY, ['set-keychain-settings', '-lut', String(KEYCHAIN_LOCK_SECONDS), keychain]),
      runStep('Unlock the temporary keychain', SECURITY, ['unlock-keychain', '-p', password, keychain]),
    );
    // A dry run without the .p12 shows its placeholder where the decoded file would be.
    let p12Path = certificate.path ?? (certificate.missing ? certificate.label : undefined);
    if (!p12Path) {
      p12Path = join(workDir, 'certificate.p12');
      const decoded = p12Path;
      steps.push(
        cleanupStep('Remove the decoded .p12', { kind: 'task', description: `rm -f ${decoded}`, run: () => rmSync(decoded, { force: true }) }),
        writeStep(`Decode the .p12 from ${certificate.label}`, decoded, certificate.p12, { mode: 0o600, secret: true }),
      );
    }
    setup.p12Path = p12Path;
    steps.push(
      runStep('Import the signing certificate into the temporary keychain', SECURITY, ['import', p12Path, '-k', keychain, '-P', certificate.password, ...KEYCHAIN_TRUSTED_APPS.flatMap((a) => ['-T', a])]),
      runStep('Let codesign use the key without a prompt', SECURITY, ['set-key-partition-list', '-S', 'apple-tool:,apple:,codesign:', '-s', '-k', password, keychain]),
      cleanupStep('Restore the keychain search list', {
        kind: 'task',
        description: `security list-keychains -d user, then security list-keychains -d user -s <that list without ${keychain}>`,
        run: async (ctx) => {
          const now = parseKeychainList(await securityOut(ctx, ['list-keychains', '-d', 'user']));
          const rest = now.filter((k) => !samePath(k, keychain));
          if (rest.length === now.length) {
            ctx.log('the temporary keychain is not in the search list');
            return;
          }
          await securityOut(ctx, ['list-keychains', '-d', 'user', '-s', ...rest]);
          ctx.log(`search list: ${rest.join(', ') || '(empty)'}`);
        },
      }),
      taskStep(
        'Put the temporary keychain first in the search list',
        `security list-keychains -d user (the current list), then security list-keychains -d user -s ${keychain} <current list…>`,
        async (ctx) => {
          const previous = parseKeychainList(await securityOut(ctx, ['list-keychains', '-d', 'user'])).filter((k) => !samePath(k, keychain));
          await securityOut(ctx, ['list-keychains', '-d', 'user', '-s', keychain, ...previous]);
          ctx.log(`search list: ${[keychain, ...previous].join(', ')}`);
        },
      ),
    );
  }

  if (profiles.length) {
    const dir = profilesFolder(input.home);
    setup.profilesDir = dir;
    const installed: string[] = [];
    steps.push(
      cleanupStep('Remove the provisioning profiles this run installed', {
        kind: 'task',
        description: `rm -f each profile installed into ${dir} (ones that were already there stay)`,
        run: (ctx) => {
          for (const p of installed.splice(0)) {
            rmSync(p, { force: true });
            ctx.log(`removed ${p}`);
          }
        },
      }),
      taskStep(
        'Install provisioning profiles',
        profiles.map((p) => `${p.source} ("${p.name}", ${p.kind}${p.bundleId ? `, ${p.bundleId}` : ''}) → ${join(dir, `${p.uuid}.mobileprovision`)}`).join('\n     '),
        (ctx) => {
          mkdirSync(dir, { recursive: true });
          for (const p of profiles) {
            const target = join(dir, `${p.uuid}.mobileprovision`);
            if (existsSync(target)) {
              ctx.log(`"${p.name}" is already installed at ${target}; left as it is`);
              continue;
            }
            installed.push(target);
            writeFileSync(target, p.content, { mode: 0o644 });
            ctx.log(`installed "${p.name}" as ${target}`);
          }
        },
      ),
    );
  }

  if (apiKey?.missing) {
    // A dry run without the .p8: the commands show its placeholder; nothing would be written.
    setup.apiKeyPath = apiKey.label;
  } else if (apiKey) {
    const keysDir = join(workDir, 'private_keys');
    const keyPath = join(keysDir, `AuthKey_${apiKey.id}.p8`);
    setup.apiKeyPath = keyPath;
    setup.apiKeysDir = keysDir;
    steps.push(
      cleanupStep('Remove the App Store Connect API key', { kind: 'task', description: `rm -f ${keyPath}`, run: () => rmSync(keyPath, { force: true }) }),
      writeStep(`Write the App Store Connect API key ${apiKey.id} (from ${apiKey.label})`, keyPath, apiKey.p8, { mode: 0o600, secret: true }),
    );
  }
  return setup;
}

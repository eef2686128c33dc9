import { existsSync } from 'fs';
import { basename, extname, isAbsolute, join, normalize } from 'path';
import { booleanOption, durationOption, formatCommand, isAbsent, isPlainObject, Plan, plainObjectOption, runStep, Step, taskStep, UserError, writeStep } from '@shipfleet/core';
import { discoverNestedCode, INSIDE_OUT_RULE, NestedCode } from './bundle';
import {
  ApiKeyInput,
  ApiKeyOptions,
  AppleIdInput,
  AppleIdOptions,
  CertificateInput,
  CertificateOptions,
  normalizeApiKey,
  normalizeAppleId,
  normalizeCertificate,
  placeholderApiKey,
} from './credentials';
import { unsetOption } from './credential-gaps';
import { entitlementsPlist } from './export-options';
import { signingSetupSteps } from './keychain';
import { formatNotaryFailure, parseNotaryLog, parseNotarySubmission } from './notary';
import { RunTimeValues } from './runtime-values';
import { ApplePlan } from './build-ios';
import { optionPaths, OptionsContext, pathFrom, withCurrentNames } from './option-reading';
import { firstLine, homeDir, isDir, isFile, randomName, stringOption, tempBase } from './util';

export interface SignMacosOptions extends CertificateOptions, ApiKeyOptions, AppleIdOptions {
  /** The .app to sign and notarize (relative to the workspace root). */
  app: string;
  /** Signing identity: certificate name ("Developer ID Application: … (TEAMID)") or SHA-1. Required to sign. */
  identity?: string;
  /** Sign the app (default true); false to only notarize an app signed before. */
  sign?: boolean;
  /**
   * Entitlements per item: path relative to the .app ("." for the app itself,
   * e.g. "Contents/Library/LoginItems/Helper.app") → an entitlements plist
   * path, or a map of entitlement keys written to a plist.
   */
  entitlements?: Record<string, string | Record<string, unknown>>;
  /** Notarize with notarytool (default true). */
  notarize?: boolean;
  /** Submit this .dmg, .pkg or .zip instead of a zip of the app (build it from the signed app). */
  notarizeFile?: string;
  /** Staple the ticket and validate it (default true). */
  staple?: boolean;
  /** Give up waiting for Apple after this long: a duration such as "45m", or seconds (default "1h"). */
  notarizeTimeout?: string | number;
  /** @deprecated use notarizeTimeout */
  notarizeTimeoutSeconds?: number;
}

/** What sign-macos uses for an option left out; its schema.json states the same defaults. */
export const SIGN_MACOS_DEFAULTS = {
  sign: true,
  notarize: true,
  staple: true,
  notarizeTimeout: '1h',
} as const;

export interface EntitlementsSource {
  /** An existing plist file. */
  file?: string;
  /** Or a plist written for this run. */
  content?: string;
}

export type NotaryAuth = { kind: 'apiKey'; apiKey: ApiKeyInput } | { kind: 'appleId'; appleId: AppleIdInput };

export interface NormalizedSignMacosOptions {
  app: string;
  appName: string;
  sign: boolean;
  identity?: string;
  /** Keyed by path relative to the app; "." is the app. */
  entitlements: Record<string, EntitlementsSource>;
  notarize: boolean;
  notarizeFile?: string;
  notaryAuth?: NotaryAuth;
  staple: boolean;
  notarizeTimeoutMs: number;
  certificate?: CertificateInput;
  /** Nested code found when the options were read (the app existed then). */
  nestedAtPlanTime?: NestedCode[];
  tempBase: string;
  home: string;
  secrets: string[];
}

function entitlementsKey(key: string): string {
  if (key === '' || key === '.' || key === './') return '.';
  const n = normalize(key).replace(/\/+$/, '');
  if (isAbsolute(n) || n === '..' || n.startsWith('../')) throw new UserError('entitlements', `key "${key}" is not a path inside the app`, 'Use paths relative to the .app, e.g. "Contents/Library/LoginItems/Helper.app", and "." for the app itself');
  return n;
}

/** Checks that each entitlements key names nested code (or the app); returns the problem or undefined. */
export function unknownEntitlementKeys(keys: string[], nested: NestedCode[]): string[] {
  const known = new Set(nested.map((n) => n.relative));
  return keys.filter((k) => k !== '.' && !known.has(k));
}

/** Validates sign-macos options; every problem is a UserError naming the option. Paths are relative to `context.workspaceRoot`. */
export function normalizeSignMacosOptions(options: Partial<SignMacosOptions>, projectRoot: string, env: NodeJS.ProcessEnv = process.env, context: OptionsContext = {}): NormalizedSignMacosOptions {
  if (!isPlainObject(options)) throw new UserError('options', 'must be an object', 'Pass the executor options as a map');
  const paths = optionPaths(projectRoot, context);
  const raw = withCurrentNames(options, paths.warn, SIGN_MACOS_DEFAULTS);
  const appRaw = stringOption(raw.app, 'app', 'Give the path of the .app, e.g. "dist/apps/mac/Example.app"');
  if (!appRaw) throw new UserError('app', 'is required', 'Give the path of the .app to sign, relative to the workspace root');
  const app = pathFrom(paths, 'app', appRaw.replace(/\/+$/, ''))!;
  if (extname(app) !== '.app') throw new UserError('app', `${app} is not a .app bundle`, 'Point it at the .app folder (sign a .pkg with productsign instead)');
  if (existsSync(app) && !isDir(app)) throw new UserError('app', `${app} is not a folder`, 'A .app is a folder (bundle)');

  const sign = booleanOption('sign', raw.sign) ?? SIGN_MACOS_DEFAULTS.sign;
  let identity = stringOption(raw.identity, 'identity', 'Use the certificate name, e.g. "Developer ID Application: Example Inc (ABCDE12345)", or its SHA-1');
  if (sign && !identity) {
    identity = paths.gaps.fill(new UserError('identity', 'is required to sign', 'Use the name of the Developer ID Application certificate, e.g. "Developer ID Application: Example Inc (ABCDE12345)", or its SHA-1 (security find-identity -v -p codesigning)'), unsetOption('identity'));
  }

  const entitlements: Record<string, EntitlementsSource> = {};
  const given = plainObjectOption('entitlements', raw.entitlements, {
    what: 'a map from a path inside the app to an entitlements plist',
    example: '{".": "apps/mac/App.entitlements", "Contents/Library/LoginItems/Helper.app": "apps/mac/Helper.entitlements"}',
  });
  if (given) {
    for (const [key, value] of Object.entries(given)) {
      const k = entitlementsKey(key);
      if (typeof value === 'string' && value) {
        const file = pathFrom(paths, 'entitlements', value)!;
        if (!isFile(file)) throw new UserError('entitlements', `${file} (for "${key}") does not exist`, 'Point it at the .entitlements plist, relative to the workspace root');
        entitlements[k] = { file };
      } else if (isPlainObject(value)) {
        entitlements[k] = { content: entitlementsPlist(value) };
      } else {
        throw new UserError('entitlements', `value of "${key}" must be a plist path or a map of entitlements`, 'Example: {"com.apple.security.cs.allow-jit": true}');
      }
    }
    if (!sign && Object.keys(entitlements).length) throw new UserError('entitlements', 'is set but sign is false', 'Entitlements are applied when signing; drop them or set sign: true');
  }

  let nestedAtPlanTime: NestedCode[] | undefined;
  if (sign && isDir(app)) {
    nestedAtPlanTime = discoverNestedCode(app);
    const unknown = unknownEntitlementKeys(Object.keys(entitlements), nestedAtPlanTime);
    if (unknown.length) {
      throw new UserError('entitlements', `${unknown.map((k) => `"${k}"`).join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not nested code in ${app}`, `Nested code found: ${nestedAtPlanTime.map((n) => n.relative).join(', ') || 'none'} (use "." for the app itself)`);
    }
  }

  const notarize = booleanOption('notarize', raw.notarize) ?? SIGN_MACOS_DEFAULTS.notarize;
  const staple = booleanOption('staple', raw.staple) ?? SIGN_MACOS_DEFAULTS.staple;
  let notarizeFile: string | undefined;
  const nf = stringOption(raw.notarizeFile, 'notarizeFile', 'Give the path of the .dmg, .pkg or .zip to submit');
  if (nf) {
    if (!notarize) throw new UserError('notarizeFile', 'is set but notarize is false', 'Drop notarizeFile or set notarize: true');
    notarizeFile = pathFrom(paths, 'notarizeFile', nf)!;
    if (!['.dmg', '.pkg', '.zip'].includes(extname(notarizeFile))) throw new UserError('notarizeFile', `${notarizeFile} is not a .dmg, .pkg or .zip`, 'notarytool accepts .dmg, .pkg and .zip files');
  }
  const notarizeTimeoutMs = durationOption('notarizeTimeout', raw.notarizeTimeout ?? SIGN_MACOS_DEFAULTS.notarizeTimeout, { min: 1000, example: '45m' })!;

  const secrets: string[] = [];
  const certificate = normalizeCertificate(raw, paths, env, secrets);
  const apiKey = normalizeApiKey(raw, paths, env, secrets);
  const appleId = normalizeAppleId(raw, env, secrets, true, paths.gaps);
  if (apiKey && appleId) throw new UserError('appleId', 'both an API key and appleId are set', 'Notarize with one of them: the App Store Connect API key (recommended on CI) or the Apple ID with an app-specific password');
  if (!appleId && !isAbsent(raw.teamId)) throw new UserError('teamId', 'is set but appleId is not', 'teamId goes with appleId for notarytool; an API key needs no team ID');
  let notaryAuth: NotaryAuth | undefined;
  if (apiKey) notaryAuth = { kind: 'apiKey', apiKey };
  else if (appleId) notaryAuth = { kind: 'appleId', appleId };
  else if (notarize) {
    const error = new UserError('apiKey', 'notarization needs credentials', 'Give an App Store Connect API key (apiKey or apiKeyEnv, with apiKeyId and apiKeyIssuerId), or appleId with teamId and appSpecificPasswordEnv; or set notarize: false');
    const apiKey = placeholderApiKey();
    paths.gaps.fill(error, `${apiKey.label} (with ${apiKey.id} and ${apiKey.issuerId})`);
    notaryAuth = { kind: 'apiKey', apiKey };
  }
  return {
    app,
    appName: basename(app, '.app'),
    sign,
    identity,
    entitlements,
    notarize,
    notarizeFile,
    notaryAuth,
    staple,
    notarizeTimeoutMs,
    certificate,
    nestedAtPlanTime,
    tempBase: tempBase(env),
    home: homeDir(env),
    secrets,
  };
}

/** `codesign --force --sign <identity> --options runtime --timestamp [--entitlements <file>] <path>`: hardened runtime and a secure timestamp, as notarization requires. */
export function codesignArgs(identity: string, path: string, entitlements?: string): string[] {
  return ['--force', '--sign', identity, '--options', 'runtime', '--timestamp', ...(entitlements ? ['--entitlements', entitlements] : []), path];
}

export function codesignVerifyArgs(app: string): string[] {
  return ['--verify', '--deep', '--strict', '--verbose=2', app];
}

/**
 * notarytool's credentials. With an Apple ID the app-specific password is an
 * argument: notarytool takes it only as `--password` (or from a prompt, and
 * standard input is closed; `store-credentials` takes it the same way). The
 * runner masks it in every printed form.
 */
export function notaryAuthArgs(auth: NotaryAuth, apiKeyPath?: string): string[] {
  if (auth.kind === 'apiKey') return ['--key', apiKeyPath ?? '<AuthKey.p8>', '--key-id', auth.apiKey.id, '--issuer', auth.apiKey.issuerId];
  return ['--apple-id', auth.appleId.appleId, '--team-id', auth.appleId.teamId ?? '', '--password', auth.appleId.password];
}

export function notarySubmitArgs(file: string, auth: string[]): string[] {
  return ['notarytool', 'submit', file, '--wait', '--output-format', 'json', ...auth];
}

export function notaryLogArgs(id: string, auth: string[]): string[] {
  return ['notarytool', 'log', id, '--output-format', 'json', ...auth];
}

export function signMacosPlan(o: NormalizedSignMacosOptions, deps: { workDir?: string } = {}): ApplePlan {
  const runtime = new RunTimeValues();
  const workDir = deps.workDir ?? join(o.tempBase, randomName('shipfleet-apple'));
  const objectEntitlements = Object.entries(o.entitlements).filter(([, e]) => e.content !== undefined);
  const zip = o.notarize && !o.notarizeFile ? join(workDir, `${o.appName}.zip`) : undefined;
  const signing = signingSetupSteps({
    certificate: o.certificate,
    apiKey: o.notaryAuth?.kind === 'apiKey' ? o.notaryAuth.apiKey : undefined,
    workDir,
    home: o.home,
    needWorkDir: !!zip || objectEntitlements.length > 0,
  });
  const steps: Step[] = [...signing.steps];

  const entitlementFiles: Record<string, string> = {};
  objectEntitlements.forEach(([key, e], i) => {
    const file = join(workDir, 'entitlements', `${i + 1}-${key === '.' ? o.appName : basename(key)}.plist`);
    entitlementFiles[key] = file;
    steps.push(writeStep(`Write the entitlements for ${key === '.' ? basename(o.app) : key}`, file, e.content!, { mode: 0o644 }));
  });
  for (const [key, e] of Object.entries(o.entitlements)) if (e.file) entitlementFiles[key] = e.file;

  if (o.sign) {
    const identity = o.identity!;
    const found = o.nestedAtPlanTime;
    steps.push(
      taskStep(
        'Sign nested code inside-out',
        [
          `rule: ${INSIDE_OUT_RULE}`,
          `each: ${formatCommand('codesign', codesignArgs(identity, '<path>')).replace(" '<path>'", ' [--entitlements <file>] <path>')}`,
          found ? `found now (${found.length}): ${found.map((n) => n.relative + (entitlementFiles[n.relative] ? ` (entitlements ${entitlementFiles[n.relative]})` : '')).join(', ') || 'none'}` : `${o.app} does not exist yet: its nested code is listed when this step runs`,
        ].join('\n     '),
        async (ctx) => {
          if (!isDir(o.app)) throw new Error(`${o.app} does not exist`);
          const nested = discoverNestedCode(o.app);
          const unknown = unknownEntitlementKeys(Object.keys(entitlementFiles), nested);
          if (unknown.length) throw new Error(`entitlements for ${unknown.join(', ')}: not nested code in ${o.app}`);
          ctx.log(`${nested.length} nested item${nested.length === 1 ? '' : 's'} to sign`);
          for (const item of nested) {
            const args = codesignArgs(identity, item.path, entitlementFiles[item.relative]);
            ctx.log(`$ ${formatCommand('codesign', args)}`);
            const r = await ctx.exec('codesign', args);
            for (const line of (r.stderr + r.stdout).split('\n').filter((l) => l.trim())) ctx.log(line);
            if (r.exitCode !== 0) throw new Error(`codesign exited with code ${r.exitCode} for ${item.relative}: ${firstLine(r.stderr || r.stdout)}`);
          }
          ctx.setOutput('signedNested', String(nested.length));
        },
      ),
      runStep(`Sign ${basename(o.app)}`, 'codesign', codesignArgs(identity, o.app, entitlementFiles['.'])),
      runStep('Verify the signature', 'codesign', codesignVerifyArgs(o.app)),
    );
  }

  if (o.notarize && o.notaryAuth) {
    const submitted = o.notarizeFile ?? zip!;
    const auth = notaryAuthArgs(o.notaryAuth, signing.apiKeyPath);
    // Masked before quoting: a quoted password containing ' would no longer match the value the runner masks.
    const password = o.notaryAuth.kind === 'appleId' && !o.notaryAuth.appleId.missing ? o.notaryAuth.appleId.password : undefined;
    const shown = (args: string[]) => formatCommand('xcrun', args.map((a) => (a === password ? '***' : a)));
    if (zip) steps.push(runStep('Zip the app for notarization', 'ditto', ['-c', '-k', '--keepParent', o.app, zip]));
    steps.push(
      taskStep(
        'Notarize (notarytool submit --wait)',
        `${shown(notarySubmitArgs(submitted, auth))}\n     status must be Accepted (notarytool exits 0 on Invalid too); otherwise xcrun notarytool log <id> --output-format json and fail listing its issues`,
        async (ctx) => {
          const args = notarySubmitArgs(submitted, auth);
          ctx.log(`$ ${shown(args)}`);
          ctx.log('waiting for Apple to finish the notarization…');
          const r = await ctx.exec('xcrun', args, { timeoutMs: o.notarizeTimeoutMs });
          let sub;
          try {
            sub = parseNotarySubmission(r.stdout);
          } catch (e) {
            if (r.exitCode !== 0) throw new Error(`notarytool submit exited with code ${r.exitCode}: ${firstLine(r.stderr || r.stdout)}`);
            throw e;
          }
          ctx.setOutput('notarizationId', sub.id);
          ctx.setOutput('notarizationStatus', sub.status);
          ctx.log(`submission ${sub.id}: ${sub.status}${sub.message ? ` (${sub.message})` : ''}`);
          if (sub.status === 'Accepted') return;
          const logArgs = notaryLogArgs(sub.id, auth);
          ctx.log(`$ ${shown(logArgs)}`);
          const l = await ctx.exec('xcrun', logArgs, { timeoutMs: 120_000 });
          throw new Error(formatNotaryFailure(sub, l.exitCode === 0 ? parseNotaryLog(l.stdout) : undefined));
        },
      ),
    );
    const stapleTarget = o.notarizeFile && extname(o.notarizeFile) !== '.zip' ? o.notarizeFile : o.app;
    if (o.staple) {
      steps.push(
        runStep(`Staple the ticket to ${basename(stapleTarget)}`, 'xcrun', ['stapler', 'staple', stapleTarget]),
        runStep('Validate the stapled ticket', 'xcrun', ['stapler', 'validate', stapleTarget]),
      );
    }
    // Gatekeeper rejects a Developer ID app that is not notarized: assessed only after notarization.
    steps.push(runStep('Gatekeeper assessment', 'spctl', ['--assess', '--type', 'execute', '--verbose', o.app]));
  }

  const plan: Plan = {
    title: `sign-macos ${basename(o.app)}${o.notarize ? ' (sign, notarize, staple)' : ''}`,
    steps,
    outputs: { app: o.app, ...(o.notarize ? { notarized: o.notarizeFile ?? o.app } : {}) },
  };
  runtime.attach(plan);
  return { plan, secrets: [...o.secrets, ...signing.secrets], runtime, signing };
}

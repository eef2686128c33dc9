import { consoleLogger, deprecatedOption, pathOption, PathRules } from '@shipfleet/core';
import { CredentialGaps } from './credential-gaps';

/** How a normaliser reads paths and where it reports renamed options; the same for build-ios, deploy-ios and sign-macos. */
export interface OptionsContext {
  /** Absolute. Paths in options are relative to it (`{workspaceRoot}` and `{projectRoot}` may be written). Default: the project root. */
  workspaceRoot?: string;
  /** Told about renamed options and about paths found under the project root the old way. Default: standard error. */
  warn?: (message: string) => void;
  /**
   * A dry run: credentials left out or whose environment variable is not set
   * are shown in the plan as `<… not set>` and warned about (see
   * CredentialGaps); a real run refuses them before anything runs.
   */
  dryRun?: boolean;
}

export interface OptionPaths {
  workspaceRoot: string;
  projectRoot: string;
  warn: (message: string) => void;
  /** Credentials a dry run goes on without. */
  gaps: CredentialGaps;
}

export function optionPaths(projectRoot: string, context: OptionsContext = {}): OptionPaths {
  const warn = context.warn ?? ((m: string) => consoleLogger.warn(m));
  return { workspaceRoot: context.workspaceRoot ?? projectRoot, projectRoot, warn, gaps: new CredentialGaps(!!context.dryRun, warn) };
}

/** A path option, absolute; relative paths are read against the workspace root (see pathOption). */
export function pathFrom(paths: OptionPaths, option: string, value: unknown, rules: Pick<PathRules, 'mustExist' | 'fix'> = {}): string | undefined {
  return pathOption(option, value, { ...paths, ...rules });
}

/** Old option name → current name. The old names keep working, with a warning. */
export const RENAMED_OPTIONS = {
  certificate: 'signingCert',
  certificateEnv: 'signingCertEnv',
  certificatePasswordEnv: 'signingPasswordEnv',
  apiKeyPath: 'apiKey',
  timeoutSeconds: 'timeout',
  notarizeTimeoutSeconds: 'notarizeTimeout',
} as const;

/**
 * The options under their current names, with a warning for each old name
 * used. Nx fills a schema default in under the current name; when that value
 * is the default and the old name is given, the old name's value is the one
 * the user wrote, so it wins.
 */
export function withCurrentNames<T extends object>(raw: T, warn: (message: string) => void, defaults: Readonly<Record<string, unknown>> = {}): T {
  let options = raw as Record<string, unknown>;
  for (const [oldName, newName] of Object.entries(RENAMED_OPTIONS)) {
    if (options[oldName] === undefined) continue;
    if (defaults[newName] !== undefined && options[newName] === defaults[newName]) {
      const { [newName]: _filledIn, ...rest } = options;
      options = rest;
    }
    options = deprecatedOption(options, oldName, newName, warn);
  }
  return options as T;
}

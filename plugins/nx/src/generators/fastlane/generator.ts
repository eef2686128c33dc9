import { logger, readProjectConfiguration, Tree } from '@nx/devkit';
import { join } from 'path';
import { UserError } from '@shipfleet/core';
import { finish, writeTemplatesKeepingEdits } from '../../utils/generator-utils';

export interface FastlaneSchema {
  project: string;
  /** ios (default when the project has an Xcode project) or android. */
  platform?: string;
  skipFormat?: boolean;
}

/** Adds fastlane/Fastfile (beta and release lanes) to an existing project; its lanes become fastlane-<lane> targets. */
export async function fastlaneGenerator(tree: Tree, o: FastlaneSchema) {
  if (!o.project) throw new UserError('project', 'is required', 'Name the project to add fastlane to, e.g. --project=app');
  let root: string;
  try {
    root = readProjectConfiguration(tree, o.project).root;
  } catch {
    throw new UserError('project', `no project named "${o.project}"`, 'Run nx show projects to list them');
  }
  const hasXcode = tree.children(root).some((c) => c.endsWith('.xcodeproj') || c.endsWith('.xcworkspace'));
  const platform = o.platform ?? (hasXcode ? 'ios' : ['build.gradle', 'build.gradle.kts', 'settings.gradle', 'settings.gradle.kts', 'android'].some((f) => tree.exists(`${root}/${f}`)) ? 'android' : 'ios');
  if (platform !== 'ios' && platform !== 'android') throw new UserError('platform', `"${platform}" is not ios or android`, 'Use --platform=ios or --platform=android');
  // A Fastfile or Appfile already there with other content is the user's: it stays.
  const kept = writeTemplatesKeepingEdits(tree, join(__dirname, 'files', platform), `${root}/fastlane`, {});
  if (kept.includes(`${root}/fastlane/Fastfile`)) logger.warn(`${root}/fastlane/Fastfile already exists and was left as it is.`);
  await finish(tree, o.skipFormat);
}

export default fastlaneGenerator;

import { logger, readProjectConfiguration, Tree } from '@nx/devkit';
import { finish, GeneratorOptionError } from '../../utils/generator-utils';

export interface FastlaneSchema {
  project: string;
  /** ios (default when the project has an Xcode project) or android. */
  platform?: string;
  skipFormat?: boolean;
}

function fastfile(platform: string): string {
  if (platform === 'android') {
    return `default_platform(:android)

platform :android do
  desc "Build and upload to the internal testing track"
  lane :beta do
    gradle(task: "clean bundleRelease")
    upload_to_play_store(track: "internal", aab: lane_context[SharedValues::GRADLE_AAB_OUTPUT_PATH])
  end

  desc "Promote internal testing to production"
  lane :release do
    upload_to_play_store(track: "internal", track_promote_to: "production", skip_upload_aab: true)
  end
end
`;
  }
  return `default_platform(:ios)

platform :ios do
  desc "Upload a build to TestFlight (ipa: path from build-ios, or builds here)"
  lane :beta do |options|
    ipa = options[:ipa] || build_app(export_method: "app-store")
    upload_to_testflight(ipa: ipa, skip_waiting_for_build_processing: true)
  end

  desc "Submit to the App Store"
  lane :release do |options|
    ipa = options[:ipa] || build_app(export_method: "app-store")
    upload_to_app_store(ipa: ipa, submit_for_review: true, force: true)
  end
end
`;
}

/** Adds fastlane/Fastfile (beta and release lanes) to an existing project; its lanes become fastlane-<lane> targets. */
export async function fastlaneGenerator(tree: Tree, o: FastlaneSchema) {
  if (!o.project) throw new GeneratorOptionError('project', 'is required', 'Name the project to add fastlane to, e.g. --project=app');
  let root: string;
  try {
    root = readProjectConfiguration(tree, o.project).root;
  } catch {
    throw new GeneratorOptionError('project', `no project named "${o.project}"`, 'Run nx show projects to list them');
  }
  const hasXcode = tree.children(root).some((c) => c.endsWith('.xcodeproj') || c.endsWith('.xcworkspace'));
  const platform = o.platform ?? (hasXcode ? 'ios' : tree.exists(`${root}/build.gradle`) || tree.exists(`${root}/android`) ? 'android' : 'ios');
  if (platform !== 'ios' && platform !== 'android') throw new GeneratorOptionError('platform', `"${platform}" is not ios or android`, 'Use --platform=ios or --platform=android');
  const path = `${root}/fastlane/Fastfile`;
  const content = fastfile(platform);
  if (tree.exists(path) && tree.read(path, 'utf-8') !== content) {
    logger.warn(`${path} already exists and was left as it is.`);
  } else {
    tree.write(path, content);
  }
  if (!tree.exists(`${root}/fastlane/Appfile`)) tree.write(`${root}/fastlane/Appfile`, platform === 'ios' ? '# app_identifier("com.example.app")\n# team_id("ABCDE12345")\n' : '# package_name("com.example.app")\n# json_key_file(ENV["PLAY_STORE_JSON_KEY_PATH"])\n');
  await finish(tree, o.skipFormat);
}

export default fastlaneGenerator;

// Runs a build-ios, deploy-ios or sign-macos plan in its own process, so a test can send it SIGINT.
// argv: <kind> <project root> <options as JSON>
import { runPlan } from '@shipfleet/core';
import { buildIosPlan, deployIosPlan, normalizeBuildIosOptions, normalizeDeployIosOptions, normalizeSignMacosOptions, signMacosPlan } from '../index';

const [kind, root, json] = process.argv.slice(2);
const options = JSON.parse(json);
const built =
  kind === 'sign-macos'
    ? signMacosPlan(normalizeSignMacosOptions(options, root))
    : kind === 'deploy-ios'
      ? deployIosPlan(normalizeDeployIosOptions(options, root))
      : buildIosPlan(normalizeBuildIosOptions(options, root));
void runPlan(built.plan, { secrets: built.secrets, killGraceMs: 1000 });

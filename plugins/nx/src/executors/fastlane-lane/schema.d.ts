import type { FastlaneLaneOptions } from '@shipfleet/fastlane';
import type { CommonExecutorOptions } from '../../utils/run-executor-plan';

export type FastlaneLaneExecutorOptions = FastlaneLaneOptions & CommonExecutorOptions;

export { DEFAULT_PROGRESS_INTERVAL_MS, mapTaskLog, startProgress } from './progress';
export type { Progress, ProgressOptions, TaskLog } from './progress';
export { formatAmount, formatBytes } from './format';
export type { ProgressUnit } from './format';
export { indentedTerminal, maskedTerminal, SharedTerminal, terminalFor } from './terminal';
export type { RedrawTerminal, TerminalStream } from './terminal';
export { LineThrottle } from './throttle';

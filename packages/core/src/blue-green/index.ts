export * from './strategy';
export * from './options';
export { checkUrl, describeBodyMatch, describeHttpCheck, runHttpCheck } from './http-check';
export type { BodyMatch, HttpCheck, HttpCheckAttempt, HttpCheckResult, HttpCheckRun } from './http-check';

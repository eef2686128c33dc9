import { consoleLogger } from '../logger';
import { ARTIFACT_DIGEST, COMMIT_SHA, ENVIRONMENT_NAME, INPUT_HASH, isIsoTime, NX_NAME, VERSION_LABEL } from './names';

/** One deploy of one project's target to one environment. */
export interface LedgerRecord {
  project: string;
  target: string;
  environment: string;
  /** Hash of the deploy's inputs (Nx task hash, or the project's file hashes). */
  inputHash: string;
  result: 'succeeded' | 'failed';
  /** ISO time the deploy finished. */
  time: string;
  commit?: string;
  version?: string;
  artifactDigest?: string;
  durationMs?: number;
}

export interface LedgerBackend {
  /** Human description for messages, e.g. the file path or the git ref. */
  readonly where: string;
  read(): Promise<LedgerRecord[]>;
  append(record: LedgerRecord): Promise<void>;
}

const RESULTS: readonly unknown[] = ['succeeded', 'failed'];
const matches = (pattern: RegExp) => (v: unknown) => typeof v === 'string' && pattern.test(v);

/** Each field of a record: whether it is required, and what a valid value is. */
const FIELDS: [field: keyof LedgerRecord, required: boolean, what: string, valid: (v: unknown) => boolean][] = [
  ['project', true, 'an Nx project name', matches(NX_NAME)],
  ['target', true, 'an Nx target name', matches(NX_NAME)],
  ['environment', true, 'an environment name', matches(ENVIRONMENT_NAME)],
  ['inputHash', true, 'a hex hash', matches(INPUT_HASH)],
  ['result', true, `one of ${RESULTS.join(', ')}`, (v) => RESULTS.includes(v)],
  ['time', true, 'an ISO time', isIsoTime],
  ['commit', false, 'a full hex commit SHA', matches(COMMIT_SHA)],
  ['version', false, 'a version label', matches(VERSION_LABEL)],
  ['artifactDigest', false, 'a digest such as sha256:<hex>', matches(ARTIFACT_DIGEST)],
  ['durationMs', false, 'a duration in milliseconds', (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0],
];

/** Why a value is not a valid record (the field and what it should be), or undefined when it is one. */
export function recordProblem(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'is not an object';
  const r = value as Record<string, unknown>;
  for (const [field, required, what, valid] of FIELDS) {
    if (r[field] === undefined ? required : !valid(r[field])) return `"${field}" is ${r[field] === undefined ? 'missing' : `not ${what}`}`;
  }
  return undefined;
}

export function isLedgerRecord(value: unknown): value is LedgerRecord {
  return recordProblem(value) === undefined;
}

/** The ledger's serialized form: a JSON document, one record per line inside the array for readable diffs. */
export function serializeLedger(records: LedgerRecord[]): string {
  return `{"version":1,"records":[\n${records.map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`;
}

/**
 * The valid records of a ledger document. An invalid record (a commit that is
 * not a SHA, a name Nx would not accept…) is reported by its index and field,
 * never by its value, and left out: nothing reads or prints it.
 */
export function parseLedger(text: string, where: string, warn: (line: string) => void = consoleLogger.warn): LedgerRecord[] {
  if (!text.trim()) return [];
  let doc: { version?: number; records?: unknown[] };
  try {
    doc = JSON.parse(text);
  } catch (e) {
    // Say where, not what: JSON.parse quotes the text it failed on.
    const position = /position (\d+)/.exec((e as Error).message)?.[1];
    throw new Error(`the deploy ledger at ${where} is not valid JSON${position ? ` (at character ${position})` : ''}; restore it from version control or move it aside`);
  }
  if (!doc || doc.version !== 1 || !Array.isArray(doc.records)) throw new Error(`the deploy ledger at ${where} has an unknown format`);
  return doc.records.filter((r, i): r is LedgerRecord => {
    const problem = recordProblem(r);
    if (problem) warn(`⚠ deploy ledger at ${where}: record ${i} ignored: ${problem}`);
    return !problem;
  });
}

export interface DeployKey {
  project: string;
  target: string;
  environment: string;
}

const sameKey = (r: LedgerRecord, k: DeployKey) => r.project === k.project && r.target === k.target && r.environment === k.environment;

/** The newest successful deploy of this project's target to this environment. */
export function lastSuccessful(records: LedgerRecord[], key: DeployKey): LedgerRecord | undefined {
  let found: LedgerRecord | undefined;
  for (const r of records) if (r.result === 'succeeded' && sameKey(r, key) && isLedgerRecord(r) && (!found || r.time >= found.time)) found = r;
  return found;
}

/** The deploy is already live when the last successful one had the same input hash. */
export function alreadyDeployed(records: LedgerRecord[], key: DeployKey, inputHash: string): LedgerRecord | undefined {
  const last = lastSuccessful(records, key);
  return last && last.inputHash === inputHash ? last : undefined;
}

/** Per project of an environment, the commit of its newest successful deploy (projects without a commit are left out). */
export function lastDeployedCommits(records: LedgerRecord[], environment: string): Map<string, string> {
  const newest = new Map<string, LedgerRecord>();
  for (const r of records) {
    if (r.environment !== environment || r.result !== 'succeeded' || !r.commit || !isLedgerRecord(r)) continue;
    const key = `${r.project}\u0000${r.target}`;
    const prev = newest.get(key);
    if (!prev || r.time >= prev.time) newest.set(key, r);
  }
  return new Map([...newest.values()].map((r) => [`${r.project}:${r.target}`, r.commit!]));
}

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

const REQUIRED: (keyof LedgerRecord)[] = ['project', 'target', 'environment', 'inputHash', 'result', 'time'];

export function isLedgerRecord(value: unknown): value is LedgerRecord {
  if (!value || typeof value !== 'object') return false;
  const r = value as Record<string, unknown>;
  return REQUIRED.every((k) => typeof r[k] === 'string') && (r.result === 'succeeded' || r.result === 'failed');
}

/** The ledger's serialized form: a JSON document, one record per line inside the array for readable diffs. */
export function serializeLedger(records: LedgerRecord[]): string {
  return `{"version":1,"records":[\n${records.map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`;
}

export function parseLedger(text: string, where: string): LedgerRecord[] {
  if (!text.trim()) return [];
  let doc: { version?: number; records?: unknown[] };
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`the deploy ledger at ${where} is not valid JSON (${(e as Error).message}); restore it from version control or move it aside`);
  }
  if (doc.version !== 1 || !Array.isArray(doc.records)) throw new Error(`the deploy ledger at ${where} has an unknown format`);
  return doc.records.filter(isLedgerRecord);
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
  for (const r of records) if (r.result === 'succeeded' && sameKey(r, key) && (!found || r.time >= found.time)) found = r;
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
    if (r.environment !== environment || r.result !== 'succeeded' || !r.commit) continue;
    const key = `${r.project}\u0000${r.target}`;
    const prev = newest.get(key);
    if (!prev || r.time >= prev.time) newest.set(key, r);
  }
  return new Map([...newest.values()].map((r) => [`${r.project}:${r.target}`, r.commit!]));
}

// Readers of the Supabase CLI's text output (checked against 2.117.0, whose `db push` and
// `migration list` are the Go CLI's). Each one fails loudly on output it does not recognise
// rather than guessing: a deploy must not read "nothing pending" out of a changed format.

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const lines = (text: string) => text.replace(ANSI, '').split(/\r?\n/);

export interface MigrationListRow {
  /** The version of a file in supabase/migrations, when the repository has it. */
  local?: string;
  /** The version recorded in supabase_migrations.schema_migrations, when the database has it. */
  remote?: string;
}

/**
 * `supabase migration list` prints a table: Local | Remote | Time (UTC), each version in
 * backquotes, "` `" for a side that lacks it.
 */
export function parseMigrationList(stdout: string): MigrationListRow[] {
  const rows: MigrationListRow[] = [];
  let header = false;
  for (const line of lines(stdout)) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 3) continue;
    if (/^Local$/i.test(cells[0]) && /^Remote$/i.test(cells[1])) {
      header = true;
      continue;
    }
    if (!header || cells.every((c) => /^-*$/.test(c))) continue;
    const version = (cell: string) => {
      const v = cell.replace(/`/g, '').trim();
      if (v !== '' && !/^\d+$/.test(v)) throw new Error(`unexpected cell "${cell}" in the output of supabase migration list`);
      return v || undefined;
    };
    rows.push({ local: version(cells[0]), remote: version(cells[1]) });
  }
  if (!header) throw new Error('could not read the output of supabase migration list: no "Local | Remote" table in it');
  return rows;
}

/** Versions the database has applied that the repository has no file for. */
export function remoteOnlyVersions(rows: MigrationListRow[]): string[] {
  return rows.filter((r) => r.remote && !r.local).map((r) => r.remote!);
}

/**
 * The file names `supabase db push --dry-run` would apply: " • <file>.sql" lines after
 * "Would push these migrations:", or none when it says the database "is up to date".
 */
export function parsePendingMigrations(output: string): string[] {
  const all = lines(output);
  const start = all.findIndex((l) => /Would push these migrations:/.test(l));
  if (start < 0) {
    if (all.some((l) => /(Remote|Local) database is up to date\.|Schema migrations are up to date\./.test(l))) return [];
    throw new Error('could not read the pending migrations from supabase db push --dry-run: neither "Would push these migrations:" nor "is up to date" in its output');
  }
  const pending: string[] = [];
  for (const line of all.slice(start + 1)) {
    const m = /^\s*•\s+(\S+\.sql)\s*$/.exec(line);
    if (!m) break;
    pending.push(m[1]);
  }
  return pending;
}

/** The files `supabase db push` started ("Applying migration <file>..."), in order. */
export function startedMigrations(output: string): string[] {
  return lines(output).map((l) => /^Applying migration (\S+\.sql)\.\.\.$/.exec(l.trim())?.[1]).filter((f): f is string => !!f);
}

/**
 * The CLI's error lines after the last migration it started: the PostgreSQL error and the
 * statement ("At statement: 1", the SQL, a caret), without its generic "--debug" advice.
 */
export function pushError(output: string): string[] {
  const all = lines(output);
  let last = -1;
  all.forEach((l, i) => { if (/^Applying migration \S+\.sql\.\.\.$/.test(l.trim())) last = i; });
  return all.slice(last + 1).filter((l) => l.trim() !== '' && !/^Try rerunning the command with --debug/.test(l));
}

/** pushError's lines as one sentence: the error, then the statement (counted from 1) and its SQL, without the caret. */
export function formatPushError(errorLines: string[]): string {
  const at = errorLines.findIndex((l) => /^At statement: \d+$/.test(l.trim()));
  if (at < 0) return errorLines.join(' ');
  const statement = Number(errorLines[at].trim().split(': ')[1]) + 1;
  const sql = errorLines.slice(at + 1).filter((l) => !/^\s*\^\s*$/.test(l)).map((l) => l.trim()).join(' ');
  return `${errorLines.slice(0, at).join(' ')}, in statement ${statement} of the file: ${sql}`;
}

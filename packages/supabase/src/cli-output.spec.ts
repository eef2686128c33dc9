// Outputs recorded from the Supabase CLI 2.117.0 against PostgreSQL 15 (stdout and stderr as the CLI split them).
import { formatPushError, parseMigrationList, parsePendingMigrations, pushError, remoteOnlyVersions, startedMigrations } from './cli-output';

const LIST_DRIFT = `

  
   Local            | Remote           | Time (UTC)            
  ------------------|------------------|-----------------------
   \` \`              | \`20231231000000\` | \`2023-12-31 00:00:00\` 
   \`20240101000000\` | \`20240101000000\` | \`2024-01-01 00:00:00\` 
   \`20240102000000\` | \`20240102000000\` | \`2024-01-02 00:00:00\` 
   \`20240103000000\` | \` \`              | \`2024-01-03 00:00:00\` 

`;

const PUSH_FAILED = `Connecting to remote database...
Do you want to push these migrations to the remote database?
 • 20240104000000_create_d.sql
 • 20240105000000_bad.sql
 • 20240106000000_create_f.sql

 [Y/n] y
Applying migration 20240104000000_create_d.sql...
Applying migration 20240105000000_bad.sql...
ERROR: relation "public.nope" does not exist (SQLSTATE 42P01)
At statement: 1
insert into public.nope values (1)
            ^
Try rerunning the command with --debug to troubleshoot the error.
`;

describe('supabase migration list', () => {
  it('reads local and remote versions, and the ones only the database has', () => {
    const rows = parseMigrationList(LIST_DRIFT);
    expect(rows).toEqual([{ remote: '20231231000000' }, { local: '20240101000000', remote: '20240101000000' }, { local: '20240102000000', remote: '20240102000000' }, { local: '20240103000000' }]);
    expect(remoteOnlyVersions(rows)).toEqual(['20231231000000']);
  });

  it('reads an empty history, with colours', () => {
    expect(parseMigrationList('\u001b[1m   Local | Remote | Time (UTC) \u001b[0m\n  ------|------|------\n')).toEqual([]);
  });

  it('refuses output without its table, or with a cell it does not know', () => {
    expect(() => parseMigrationList('Connecting to remote database...\n')).toThrow('no "Local | Remote" table');
    expect(() => parseMigrationList('Local | Remote | Time (UTC)\n---|---|---\n`v1` | `20240101000000` | x\n')).toThrow('unexpected cell "`v1`"');
  });
});

describe('supabase db push --dry-run', () => {
  it('lists the files it would push, in order', () => {
    const stderr = 'DRY RUN: migrations will *not* be pushed to the database.\nConnecting to remote database...\nWould push these migrations:\n • 20240101000000_create_a.sql\n • 20240102000000_create_b.sql\n';
    expect(parsePendingMigrations(`\n${stderr}`)).toEqual(['20240101000000_create_a.sql', '20240102000000_create_b.sql']);
  });

  it('reads "up to date" as nothing pending, and anything else as an error', () => {
    expect(parsePendingMigrations('Remote database is up to date.\nDRY RUN: migrations will *not* be pushed to the database.\nConnecting to remote database...\n')).toEqual([]);
    expect(() => parsePendingMigrations('Connecting to remote database...\nSomething new\n')).toThrow('could not read the pending migrations');
  });
});

describe('supabase db push', () => {
  it('finds the files it started and the error of the last one', () => {
    expect(startedMigrations(PUSH_FAILED)).toEqual(['20240104000000_create_d.sql', '20240105000000_bad.sql']);
    expect(pushError(PUSH_FAILED)).toEqual(['ERROR: relation "public.nope" does not exist (SQLSTATE 42P01)', 'At statement: 1', 'insert into public.nope values (1)', '            ^']);
    expect(formatPushError(pushError(PUSH_FAILED))).toBe('ERROR: relation "public.nope" does not exist (SQLSTATE 42P01), in statement 2 of the file: insert into public.nope values (1)');
  });
});

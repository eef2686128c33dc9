import { UserError } from '@shipfleet/core';

const PROTOCOLS = new Set(['postgres:', 'postgresql:']);

/** Query parameters libpq and pgx read a password or key from. */
const SECRET_PARAMS = ['password', 'sslpassword'];

export const DB_URL_EXAMPLE = 'postgresql://postgres.abcdefghijklmnopqrst@aws-0-eu-central-1.pooler.supabase.com:5432/postgres';

/**
 * A PostgreSQL connection URL without a password, as the Supabase CLI's `--db-url` takes it
 * (percent-encoded). A URL with a password is refused: a command line is visible in `ps` and Nx
 * echoes options. The message never shows the URL, which may hold the password.
 */
export function dbUrlOption(option: string, value: unknown, passwordEnvOption: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const fix = `Give a URL such as "${DB_URL_EXAMPLE}" (the Session pooler or direct connection string from the project's Connect dialog, without the password)`;
  if (typeof value !== 'string' || value.trim() === '') throw new UserError(option, 'must be a postgresql:// URL', fix);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(option, 'is not a postgresql:// URL (key=value connection strings are not accepted)', fix);
  }
  if (url.password || SECRET_PARAMS.some((p) => url.searchParams.has(p))) {
    throw new UserError(option, 'contains a password', `Remove it from the URL and put it in the environment variable named by "${passwordEnvOption}": a URL on a command line is visible in ps and in Nx's echo of the options`);
  }
  if (!PROTOCOLS.has(url.protocol)) throw new UserError(option, `uses ${url.protocol.replace(/:$/, '')}://, not postgresql://`, fix);
  if (!url.hostname) throw new UserError(option, 'has no host', fix);
  if (!url.username) throw new UserError(option, 'has no user name', `Put the database user in the URL, e.g. postgresql://postgres.<project ref>@<host>:5432/postgres`);
  return value;
}

/** The URL as messages show it: it holds no password (dbUrlOption refuses one), the query is dropped. */
export function displayDbUrl(value: string): string {
  const url = new URL(value);
  return `${url.protocol}//${url.username ? `${url.username}@` : ''}${url.host}${url.pathname}`;
}

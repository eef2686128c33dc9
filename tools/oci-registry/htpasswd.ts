// htpasswd lines for distribution's htpasswd auth, which accepts bcrypt only. Node has no bcrypt
// and openssl passwd cannot make one: the system's crypt(3) (libxcrypt, through perl) does, with a
// `$2b$` salt. No npm dependency is needed for it.
import { spawnSync } from 'child_process';
import { randomBytes } from 'crypto';

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function bcryptHash(password: string, cost = 5): string {
  const salt = [...randomBytes(22)].map((b) => BCRYPT_ALPHABET[b % 64]).join('');
  // The password goes through stdin, not argv.
  const r = spawnSync('perl', ['-e', 'my $p = <STDIN>; print crypt($p, $ARGV[0])', `$2b$${String(cost).padStart(2, '0')}$${salt}`], { input: password, encoding: 'utf8' });
  if (r.status !== 0 || !/^\$2b\$\d\d\$[./A-Za-z0-9]{53}$/.test(r.stdout)) throw new Error(`crypt(3) could not make a bcrypt hash (${r.status}): ${r.stderr}`);
  return r.stdout;
}

export function htpasswdFile(users: Record<string, string>): string {
  return Object.entries(users).map(([user, password]) => `${user}:${bcryptHash(password)}\n`).join('');
}

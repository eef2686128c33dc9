import { thrownUserError } from '../errors';
import { commitIshOption, gitRefOption, gitRemoteOption } from './index';

const refusal = thrownUserError;

describe('git remote option', () => {
  it.each(['origin', 'upstream-2', 'my.remote_1', 'https://github.com/acme/app.git', 'https://git.example.com:8443/acme/app', 'ssh://git@github.com/acme/app.git', 'ssh://git@host:2222/~acme/app.git', 'git://git.example.com/app.git', 'file:///srv/git/app.git', 'git@github.com:acme/app.git', 'host.example.com:repos/app.git'])('accepts %s', (remote) => {
    expect(gitRemoteOption('ledgerRemote', remote)).toBe(remote);
  });

  it('passes an absent remote through', () => {
    expect(gitRemoteOption('ledgerRemote', undefined)).toBeUndefined();
  });

  it('refuses a value git would read as an option, naming the option', () => {
    const e = refusal(() => gitRemoteOption('ledgerRemote', '--upload-pack=touch /tmp/pwned;false'));
    expect(e.option).toBe('ledgerRemote');
    expect(e.message).toMatch(/^Option "ledgerRemote": .*starts with "-"/);
  });

  it.each([
    ['ext::sh -c touch% /tmp/pwned', /not a git remote/],
    ['fd::17', /not a git remote/],
    ['origin; rm -rf ~', /not a git remote/],
    ['git@-oProxyCommand=x:repo', /not a git remote/],
    ['ssh://-oProxyCommand=x/repo', /not a git remote/],
    ['http://example.com/app.git', /not a git remote/],
    ['', /not a git remote/],
  ])('refuses %s', (remote, problem) => {
    expect(refusal(() => gitRemoteOption('ledgerRemote', remote)).message).toMatch(problem);
  });

  it.each(['https://deploy:s3cr3t-token@github.com/acme/app.git', 'https://s3cr3t-token@github.com/acme/app.git', 'ssh://git:s3cr3t-token@github.com/acme/app.git'])('refuses credentials in a URL without showing them (%s)', (remote) => {
    const e = refusal(() => gitRemoteOption('ledgerRemote', remote));
    expect(e.message).toMatch(/credentials/);
    expect(e.message).not.toContain('s3cr3t');
  });
});

describe('git ref option', () => {
  it('accepts a ref under refs/', () => {
    expect(gitRefOption('ledgerRef', 'refs/shipfleet/ledger-2')).toBe('refs/shipfleet/ledger-2');
  });

  it.each(['--output=/tmp/pwned', '-x', 'refs/a/../b', 'refs/a//b', 'refs/a/', 'refs/a.lock', 'refs/.hidden', 'heads/main', 'refs/a b'])('refuses %s', (ref) => {
    expect(refusal(() => gitRefOption('ledgerRef', ref)).option).toBe('ledgerRef');
  });
});

describe('commit-ish option', () => {
  it.each(['HEAD', 'HEAD~1', 'origin/main', 'v1.2.3', 'main@{1}', 'abc123^2', 'a'.repeat(40)])('accepts %s', (rev) => {
    expect(commitIshOption('base', rev)).toBe(rev);
  });

  it.each(['--output=/tmp/pwned', '-x', 'HEAD$(id)', 'main;id', 'a b', '`id`', "'x'"])('refuses %s', (rev) => {
    expect(refusal(() => commitIshOption('base', rev)).option).toBe('base');
  });
});

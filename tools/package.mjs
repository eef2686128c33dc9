// `npm run package`: builds every publishable package and writes one installable tarball each into dist/tarballs/.
import { execFileSync } from 'child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'fs';
import { join } from 'path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'dist', 'tarballs');
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

execFileSync('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], { cwd: root, stdio: 'inherit', env });
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const group of ['packages', 'plugins']) {
  for (const name of readdirSync(join(root, group))) {
    const dir = join(root, group, name);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (pkg.private) continue;
    execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env });
    console.log(`packed ${pkg.name}@${pkg.version}`);
  }
}
console.log(`tarballs in ${out}: ${readdirSync(out).join(', ')}`);

// `npm run package`: builds @shipfleet/nx and the @shipfleet libraries it depends on, and writes one
// installable tarball each into dist/tarballs/.
import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'fs';
import { join } from 'path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'dist', 'tarballs');
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

// Package name → folder, for every workspace package.
const folders = new Map();
for (const group of ['packages', 'plugins']) {
  for (const name of readdirSync(join(root, group))) {
    const manifest = join(root, group, name, 'package.json');
    if (existsSync(manifest)) folders.set(JSON.parse(readFileSync(manifest, 'utf8')).name, join(root, group, name));
  }
}

// The plugin and, transitively, the workspace libraries it depends on.
const publish = [];
const visit = (pkg) => {
  if (publish.includes(pkg)) return;
  publish.push(pkg);
  const { dependencies = {} } = JSON.parse(readFileSync(join(folders.get(pkg), 'package.json'), 'utf8'));
  for (const dep of Object.keys(dependencies)) if (folders.has(dep)) visit(dep);
};
visit('@shipfleet/nx');

execFileSync('npx', ['nx', 'run-many', '-t', 'build', '-p', publish.join(','), '--outputStyle=static'], { cwd: root, stdio: 'inherit', env });
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const pkg of publish) {
  execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: folders.get(pkg), stdio: ['ignore', 'ignore', 'inherit'], env });
  console.log(`packed ${pkg}`);
}
console.log(`tarballs in ${out}: ${readdirSync(out).join(', ')}`);

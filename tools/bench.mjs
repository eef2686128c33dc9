// `npm run bench -- <name>`: runs tools/bench/<name>.ts. Each benchmark prints ratios against a
// baseline measured in the same run; none asserts on time.
import { spawnSync } from 'child_process';
import { existsSync, readdirSync } from 'fs';
import { join } from 'path';

const dir = join(new URL('.', import.meta.url).pathname, 'bench');
const available = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.includes('.child.')).map((f) => f.replace(/\.ts$/, ''));
const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|')}> [options]`);
  process.exit(name ? 1 : 0);
}
const script = join(dir, `${name}.ts`);
if (!existsSync(script)) process.exit(1);
const r = spawnSync(process.execPath, ['-r', '@swc-node/register', script, ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);

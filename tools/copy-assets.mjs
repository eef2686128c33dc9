// Copies what tsc does not emit from a package's src/ (schema.json and schema.d.ts, generator files/) into dist/.
// Run from the package folder after tsc.
import { cpSync, existsSync, readdirSync, statSync } from 'fs';
import { join } from 'path';

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name === 'files' || name === '__fixtures__') out.push(full);
      else walk(full, out);
    } else if (name.endsWith('.json') || name === 'schema.d.ts') out.push(full);
  }
  return out;
}

if (existsSync('src')) {
  for (const src of walk('src')) {
    if (src.includes('__fixtures__')) continue;
    cpSync(src, join('dist', src.slice('src/'.length)), { recursive: true });
  }
}

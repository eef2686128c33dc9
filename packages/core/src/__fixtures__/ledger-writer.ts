// Appends N records to a ledger as process <id>. With "crash" it dies by SIGKILL
// after writing its temporary file and before renaming it over the ledger;
// with "crash:<n>" it first commits n records.
import { FileLedger, GitLedger } from '../ledger';

const [kind, where, id, count, mode] = process.argv.slice(2);
if (mode?.startsWith('crash')) {
  // Patch the real module object (an `import * as` namespace would be a copy).
  const fs = require('fs');
  const rename = fs.renameSync;
  let commits = Number(mode.split(':')[1] ?? 0);
  fs.renameSync = (from: string, to: string) => (to === where && commits-- <= 0 ? process.kill(process.pid, 'SIGKILL') : rename(from, to));
}
const ledger = kind === 'git' ? new GitLedger(where, undefined, 'origin', 50) : new FileLedger(where);
(async () => {
  for (let i = 0; i < Number(count); i++) {
    await ledger.append({ project: `p${id}`, target: 'deploy', environment: 'staging', inputHash: `a${id}b${i}`, result: 'succeeded', time: new Date().toISOString() });
  }
})().catch((e) => {
  console.error(e.message);
  process.exit(1);
});

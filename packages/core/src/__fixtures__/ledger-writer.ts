// Appends N records to a ledger as process <id>. With "crash" it dies by SIGKILL
// after writing its temporary file and before renaming it over the ledger.
import { FileLedger, GitLedger } from '../ledger';

const [kind, where, id, count, mode] = process.argv.slice(2);
// Patch the real module object (an `import * as` namespace would be a copy).
if (mode === 'crash') require('fs').renameSync = () => process.kill(process.pid, 'SIGKILL');
const ledger = kind === 'git' ? new GitLedger(where, undefined, 'origin', 50) : new FileLedger(where);
(async () => {
  for (let i = 0; i < Number(count); i++) {
    await ledger.append({ project: `p${id}`, target: 'deploy', environment: 'staging', inputHash: `h${id}-${i}`, result: 'succeeded', time: new Date().toISOString() });
  }
})().catch((e) => {
  console.error(e.message);
  process.exit(1);
});

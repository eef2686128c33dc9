import { Tree } from '@nx/devkit';

/**
 * What shipfleet keeps in the workspace that must not be committed: the
 * development certificates package-tizen makes (private keys) and the file
 * ledger, which records what this machine deployed (with its lock and
 * temporary files). CI shares the git ledger instead.
 */
export const IGNORED = ['.shipfleet/tizen/', '.shipfleet/ledger*'];

const HEADER = '# shipfleet: development certificates and the local deploy ledger';
/** Lines that already ignore the whole .shipfleet folder. */
const WHOLE_FOLDER = new Set(['.shipfleet', '.shipfleet/', '/.shipfleet', '/.shipfleet/', '.shipfleet/*', '/.shipfleet/*', '.shipfleet/**', '/.shipfleet/**']);

/** Adds the entries .gitignore lacks, after what is there; running it again changes nothing. */
export function ignoreShipfleetState(tree: Tree): void {
  const current = tree.exists('.gitignore') ? tree.read('.gitignore', 'utf-8')! : '';
  const lines = new Set(current.split(/\r?\n/).map((l) => l.trim()));
  if ([...lines].some((l) => WHOLE_FOLDER.has(l))) return;
  const missing = IGNORED.filter((entry) => !lines.has(entry) && !lines.has(`/${entry}`));
  if (!missing.length) return;
  const separator = current === '' ? '' : current.endsWith('\n') ? '\n' : '\n\n';
  tree.write('.gitignore', `${current}${separator}${HEADER}\n${missing.join('\n')}\n`);
}

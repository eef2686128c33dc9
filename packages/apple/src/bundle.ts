import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, realpathSync } from 'fs';
import { basename, extname, join, relative } from 'path';
import plist from 'plist';
import { isPlainObject } from '@shipfleet/core';

/** Bundle types that hold code of their own and are signed as a unit. */
export const CODE_BUNDLE_EXTENSIONS = ['.app', '.framework', '.xpc', '.appex', '.bundle', '.plugin', '.kext', '.systemextension', '.dext', '.qlgenerator', '.mdimporter', '.saver', '.prefPane'];
/** These are code bundles even before their executable is looked at. */
const ALWAYS_CODE = ['.app', '.framework', '.xpc', '.appex', '.systemextension'];

export interface NestedCode {
  path: string;
  /** Relative to the outer .app, e.g. Contents/Frameworks/Sparkle.framework */
  relative: string;
  kind: 'bundle' | 'dylib' | 'executable';
}

/** The rule, for dry runs. */
export const INSIDE_OUT_RULE =
  'inside-out, deepest first: each nested bundle (.framework, .app helpers, .xpc, .appex, .systemextension, plug-ins with an executable) after everything inside it, each other Mach-O file (.dylib, helper tools) on its own, the app last; never --deep for signing';

const MACHO_MAGIC = new Set([0xfeedface, 0xcefaedfe, 0xfeedfacf, 0xcffaedfe, 0xcafebabe, 0xbebafeca]);

/** Mach-O (thin or universal) by its first four bytes. */
export function isMachO(file: string): boolean {
  const buf = Buffer.alloc(4);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    if (readSync(fd, buf, 0, 4, 0) < 4) return false;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return MACHO_MAGIC.has(buf.readUInt32BE(0));
}

function infoPlist(bundle: string): Record<string, unknown> | undefined {
  for (const p of ['Contents/Info.plist', 'Resources/Info.plist', 'Versions/Current/Resources/Info.plist', 'Info.plist']) {
    const file = join(bundle, p);
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    // A binary plist (bplist00) cannot be read here; the bundle's name is used instead.
    if (!text.startsWith('<?xml') && !text.startsWith('<plist')) return undefined;
    try {
      const data = plist.parse(text);
      return isPlainObject(data) ? data : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The bundle's main executable (CFBundleExecutable, else the bundle's name), real path, if present. */
export function mainExecutable(bundle: string): string | undefined {
  const info = infoPlist(bundle);
  const name = typeof info?.CFBundleExecutable === 'string' ? info.CFBundleExecutable : basename(bundle, extname(bundle));
  for (const p of [join(bundle, 'Contents', 'MacOS', name), join(bundle, 'Versions', 'Current', name), join(bundle, name)]) {
    try {
      if (existsSync(p)) return realpathSync(p);
    } catch {
      /* dangling link */
    }
  }
  return undefined;
}

function isCodeBundle(dir: string): boolean {
  const ext = extname(dir);
  if (!CODE_BUNDLE_EXTENSIONS.includes(ext)) return false;
  return ALWAYS_CODE.includes(ext) || mainExecutable(dir) !== undefined;
}

/**
 * Every piece of nested code in a bundle, in signing order (inside-out): a
 * depth-first walk that lists a nested bundle after its own contents.
 * Symbolic links are not followed (a framework's Versions/Current and its
 * top-level links point into Versions/A, which is walked once); the bundle's
 * own main executable is signed with the bundle and not listed.
 */
export function discoverNestedCode(app: string): NestedCode[] {
  const out: NestedCode[] = [];
  const walkBundle = (bundle: string) => {
    const main = mainExecutable(bundle);
    const visit = (dir: string) => {
      const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isSymbolicLink() || e.name === '_CodeSignature' || e.name === 'CodeResources') continue;
        if (e.isDirectory()) {
          if (isCodeBundle(p)) {
            walkBundle(p);
            out.push({ path: p, relative: relative(app, p), kind: 'bundle' });
          } else {
            visit(p);
          }
        } else if (e.isFile() && isMachO(p) && realpathSync(p) !== main) {
          out.push({ path: p, relative: relative(app, p), kind: extname(p) === '.dylib' ? 'dylib' : 'executable' });
        }
      }
    };
    visit(existsSync(join(bundle, 'Contents')) ? join(bundle, 'Contents') : bundle);
  };
  walkBundle(app);
  return out;
}

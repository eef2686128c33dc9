// Samples the command line of every process on the machine (Linux /proc) while a deploy runs,
// as `ps` would show them to another user: to prove a secret is on none of them.
import { readdirSync, readFileSync } from 'fs';

export interface ArgvWatch {
  /** Command lines seen that contain `needle`. */
  leaks: string[];
  /** Every distinct command line seen that contains `marker`. */
  seen: Set<string>;
  stop(): void;
}

export function watchArgv(needle: string, marker: string, everyMs = 15): ArgvWatch {
  const leaks: string[] = [];
  const seen = new Set<string>();
  const sample = () => {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let cmdline: string;
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      } catch {
        continue; // ended meanwhile
      }
      if (cmdline.includes(needle)) leaks.push(cmdline);
      if (cmdline.includes(marker)) seen.add(cmdline);
    }
  };
  const timer = setInterval(sample, everyMs);
  return { leaks, seen, stop: () => clearInterval(timer) };
}

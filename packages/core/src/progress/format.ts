/** Sizes as people read them: 512 B, 3.4 KiB, 12 MiB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** What is counted: bytes (shown as sizes) or things with a plural name ("files", "replicas"). */
export type ProgressUnit = 'bytes' | { plural: string };

/** "3.0 MiB of 12 MiB (25%)", "3/12 files (25%)", or without a total "3.0 MiB" / "3 files". */
export function formatAmount(value: number, total: number | undefined, unit: ProgressUnit): string {
  const show = (n: number) => (unit === 'bytes' ? formatBytes(n) : n.toLocaleString('en-US'));
  if (total === undefined) return unit === 'bytes' ? show(value) : `${show(value)} ${unit.plural}`;
  const percent = total > 0 ? Math.floor((Math.min(value, total) / total) * 100) : 100;
  return unit === 'bytes' ? `${show(value)} of ${show(total)} (${percent}%)` : `${show(value)}/${show(total)} ${unit.plural} (${percent}%)`;
}

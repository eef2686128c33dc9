/** Major version of a dependency range such as "23.2.1", "^23.0.0" or "~23.1"; undefined for tags like "latest". */
export function major(range: string): number | undefined {
  const m = /(\d+)\./.exec(range);
  return m ? Number(m[1]) : undefined;
}

/** The placeholder a signing command writes where the file to sign goes. */
export const FILE_PLACEHOLDER = '{file}';
/** Where a command that writes a signed copy (osslsigncode -out) puts it; shipfleet then verifies it and renames it over the file. */
export const OUTPUT_PLACEHOLDER = '{output}';

/** The command's argv for one file: every `{file}` (and `{output}`) replaced, also inside an argument such as `--input={file}`. */
export function commandArgv(command: readonly string[], file: string, output?: string): string[] {
  return command.map((arg) => {
    const withFile = arg.split(FILE_PLACEHOLDER).join(file);
    return output === undefined ? withFile : withFile.split(OUTPUT_PLACEHOLDER).join(output);
  });
}

export function writesCopy(command: readonly string[]): boolean {
  return command.some((a) => a.includes(OUTPUT_PLACEHOLDER));
}

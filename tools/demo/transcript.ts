// Everything the demo prints goes through one transcript, so that the end can prove no credential
// reached it.
export class Transcript {
  private readonly text: string[] = [];

  print(text: string): void {
    const line = text.endsWith('\n') ? text : `${text}\n`;
    this.text.push(line);
    process.stdout.write(line);
  }

  step(title: string): void {
    this.print(`\n━━ ${title}`);
  }

  /** The credentials (by position in `secrets`) that appear in what was printed. */
  leaked(secrets: string[]): number[] {
    const all = this.text.join('');
    return secrets.flatMap((s, i) => (s && all.includes(s) ? [i] : []));
  }
}

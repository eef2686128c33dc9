/**
 * Decides when a progress line is printed where lines cannot be redrawn (CI
 * logs, files): the first at once, then at most one every `intervalMs` and
 * only when the text changed, and the final line always. The clock is injected: nothing here waits.
 */
export class LineThrottle {
  /** The first line is printed at once: it shows the work has started. */
  private lastAt = -Infinity;
  private lastText: string | undefined;
  private pending: string | undefined;

  constructor(
    private readonly emit: (line: string) => void,
    private readonly intervalMs: number,
    private readonly now: () => number,
  ) {}

  /** Offers the current text; prints it (or nothing) as the interval allows. */
  offer(text: string): void {
    this.pending = text === this.lastText ? undefined : text;
    if (this.pending === undefined) return;
    const at = this.now();
    if (at - this.lastAt < this.intervalMs) return;
    this.print(this.pending, at);
  }

  /** Prints the final text, whatever the interval; the same text twice in a row is printed once. */
  final(text: string): void {
    if (text !== this.lastText) this.print(text, this.now());
  }

  private print(text: string, at: number): void {
    this.emit(text);
    this.lastAt = at;
    this.lastText = text;
    this.pending = undefined;
  }
}

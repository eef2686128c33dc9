import { clearLine, cursorTo } from 'readline';

/** The part of a TTY stream a progress library draws on: writes and the width. */
export interface TerminalStream {
  readonly isTTY: true;
  readonly columns: number;
  write(chunk: string, callback?: (err?: Error | null) => void): boolean;
}

/**
 * An interactive terminal on which one line is redrawn in place (a progress
 * bar) between log lines. Loggers offer one only when their output is a TTY.
 */
export interface RedrawTerminal {
  /** Where the progress library draws; every write is masked like a log line. */
  readonly stream: TerminalStream;
  /**
   * The text of a redrawn line as it is to be drawn: masked like every log line
   * (and indented like the lines around it). Call it before the text is cut
   * to the terminal's width, so a secret cut in two is still masked.
   */
  line(text: string): string;
}

/** Cursor moves and line clearing (CSI …), cursor save/restore: what a redraw writes besides its text. */
const CONTROL_SEQUENCES = /\x1b\[[\d;?]*[A-Za-z]|\x1b[78]/g;

type WriteCallback = (err?: Error | null) => void;

/**
 * One TTY shared by log lines and one redrawn line. Log lines go through
 * `writeLine`, which first wipes a redrawn line left on screen, so the two
 * never mix on one row; the progress library draws the line again on its next tick.
 */
export class SharedTerminal implements RedrawTerminal {
  /** A redrawn line is on screen and the cursor is on it. */
  private open = false;
  readonly stream: TerminalStream;

  constructor(private readonly out: NodeJS.WritableStream & { columns?: number }) {
    const self = this;
    this.stream = {
      isTTY: true,
      get columns() {
        return out.columns || 80;
      },
      write(chunk: string, callback?: WriteCallback) {
        const text = String(chunk);
        const lastNewline = text.lastIndexOf('\n');
        // Text after the last newline stays on the cursor's row: that row now holds the redrawn line.
        if (lastNewline !== -1) self.open = false;
        if (text.slice(lastNewline + 1).replace(CONTROL_SEQUENCES, '').trim()) self.open = true;
        return out.write(text, callback);
      },
    };
  }

  line(text: string): string {
    return text;
  }

  /** Writes one log line to `to` (this terminal's stream, or another stream on the same TTY such as stderr). */
  writeLine(line: string, to: NodeJS.WritableStream = this.out): void {
    if (this.open) {
      cursorTo(this.out, 0);
      clearLine(this.out, 0);
      this.open = false;
    }
    to.write(line + '\n');
  }
}

/** A terminal for `stream` when it is an interactive one (not a pipe, a file, or TERM=dumb). */
export function terminalFor(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv = process.env): SharedTerminal | undefined {
  if (stream.isTTY !== true || env.TERM === 'dumb') return undefined;
  return new SharedTerminal(stream);
}

/** The same terminal with `mask` applied to every write and to each redrawn line's text. */
export function maskedTerminal(inner: RedrawTerminal, mask: (text: string) => string): RedrawTerminal {
  return {
    stream: {
      isTTY: true,
      get columns() {
        return inner.stream.columns;
      },
      write: (chunk, callback) => inner.stream.write(mask(String(chunk)), callback),
    },
    line: (text) => inner.line(mask(text)),
  };
}

/** The same terminal with redrawn lines starting with `prefix` (the indent of the log lines around them). */
export function indentedTerminal(inner: RedrawTerminal, prefix: string): RedrawTerminal {
  return { stream: inner.stream, line: (text) => inner.line(prefix + text) };
}

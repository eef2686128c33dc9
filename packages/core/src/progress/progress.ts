import { Format, MultiBar, Options, Params } from 'cli-progress';
import { formatDuration } from '../options/duration';
import { formatAmount, ProgressUnit } from './format';
import { maskedTerminal, RedrawTerminal } from './terminal';
import { LineThrottle } from './throttle';

/**
 * A task's log: a function taking one line, which the runner masks and
 * prints. When the run's output is an interactive terminal, the runner's
 * task log also carries it, for one progress line redrawn in place.
 */
export type TaskLog = ((line: string) => void) & { readonly terminal?: RedrawTerminal };

/** A task log passing each line through `transform` (a further mask) first, keeping the terminal, whose writes get it too. */
export function mapTaskLog(log: TaskLog, transform: (line: string) => string): TaskLog {
  return Object.assign((line: string) => log(transform(line)), log.terminal ? { terminal: maskedTerminal(log.terminal, transform) } : {});
}

/** At most one progress line this often where lines cannot be redrawn (the last one always). */
export const DEFAULT_PROGRESS_INTERVAL_MS = 5000;

export interface ProgressOptions {
  /** What is in progress, e.g. "uploading 12 files" or "deployment/api". */
  label: string;
  /** The amount when complete (bytes, files, replicas), when known. */
  total?: number;
  /** How amounts are shown (default: bytes). */
  unit?: ProgressUnit;
  /** Without a terminal: at most one line this often (default 5 s). */
  intervalMs?: number;
  /** The clock for the interval (default Date.now). */
  now?: () => number;
  /** Ends the progress (its last line printed) when aborted. */
  signal?: AbortSignal;
  /** 'lines' never redraws, even on a terminal; 'auto' (default) redraws when the log has a terminal. */
  mode?: 'auto' | 'lines';
}

export interface Progress {
  /** 'redraw': one line redrawn on the terminal; 'lines': throttled log lines. */
  readonly mode: 'redraw' | 'lines';
  /** The amount done so far, and optionally a short note ("3/12 files"). */
  update(value: number, note?: string): void;
  /** A new note without a new amount ("2 of 3 updated replicas are available"). */
  note(text: string): void;
  /** Prints the final line, with how long it took; later calls do nothing. */
  end(note?: string): void;
}

/** Terminals with a redrawn line on them: a second progress at the same time falls back to lines. */
const busy = new WeakSet<object>();

/** Redraws at most this often on a terminal; cli-progress also redraws on its own timer (after a log line wiped the line). */
const REDRAW_FPS = 5;

interface State {
  value?: number;
  note?: string;
}

/** "3.0 MiB of 12 MiB (25%) · 3/12 files": the amount and the note, each when known. */
function details(o: ProgressOptions, s: State): string {
  const amount = s.value === undefined ? '' : formatAmount(s.value, o.total, o.unit ?? 'bytes');
  return [amount, s.note].filter(Boolean).join(' · ');
}

function describe(o: ProgressOptions, s: State): string {
  const d = details(o, s);
  return d ? `${o.label}: ${d}` : o.label;
}

/**
 * Shows the progress of long work (an upload, a rollout wait) through a
 * task's log. On a terminal (the log's `terminal`), one line redrawn in place
 * by cli-progress, its text masked like every log line; elsewhere (CI, a
 * file) a log line at most every `intervalMs` and only when it changed.
 * The final line is always logged, through the log.
 */
export function startProgress(log: TaskLog, options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const started = now();
  const state: State = options.total !== undefined ? { value: 0 } : {};
  const terminal = options.mode === 'lines' ? undefined : log.terminal;
  const draw = terminal && !busy.has(terminal.stream) ? redrawn(terminal, options, state) : undefined;
  const throttle = draw ? undefined : new LineThrottle(log, options.intervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS, now);
  let ended = false;

  const changed = () => {
    if (ended) return;
    if (draw) draw.refresh();
    else throttle!.offer(describe(options, state));
  };
  const onAbort = () => progress.end();
  const progress: Progress = {
    mode: draw ? 'redraw' : 'lines',
    update(value, note) {
      state.value = value;
      if (note !== undefined) state.note = note;
      changed();
    },
    note(text) {
      state.note = text;
      changed();
    },
    end(note) {
      if (ended) return;
      ended = true;
      options.signal?.removeEventListener('abort', onAbort);
      if (note !== undefined) state.note = note;
      draw?.stop();
      const final = `${describe(options, state)} · ${formatDuration(now() - started)}`;
      if (throttle) throttle.final(final);
      else log(final);
    },
  };
  if (options.signal?.aborted) progress.end();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  return progress;
}

/** The redrawn line: a cli-progress bar (with the bar and ETA when the total is known) on the terminal. */
function redrawn(terminal: RedrawTerminal, o: ProgressOptions, state: State) {
  busy.add(terminal.stream);
  const template = o.total !== undefined ? '{head} [{bar}] {tail} | ETA {eta_formatted}' : '{head}{tail}';
  const head = () => (o.total !== undefined ? o.label : describe(o, state));
  const tail = () => (o.total !== undefined ? details(o, state) : '');
  const format = (opts: Options, params: Params, payload: Record<string, unknown>) =>
    // Masked before cli-progress cuts the line to the terminal's width.
    terminal.line(Format.Formatter({ ...opts, format: template }, params, payload));
  const bars = new MultiBar({
    // cli-progress draws on a Node stream; it uses only write, isTTY and columns.
    stream: terminal.stream as unknown as NodeJS.WritableStream,
    format,
    fps: REDRAW_FPS,
    // Redraw on every tick even when nothing changed: a log line may have wiped the line.
    forceRedraw: true,
    clearOnComplete: true,
    hideCursor: false,
    linewrap: true,
    // The runner handles SIGINT/SIGTERM; cli-progress must not add listeners.
    gracefulExit: false,
    barsize: 20,
  });
  // cli-progress re-arms its redraw timer after each redraw; unref it so a progress never keeps the process alive.
  const unrefTimer = () => (bars as unknown as { timer?: NodeJS.Timeout | null }).timer?.unref();
  bars.on('update-post', unrefTimer);
  const bar = bars.create(o.total ?? 0, 0, { head: head(), tail: tail() });
  unrefTimer();
  bars.update();
  let lastDraw = Date.now();
  return {
    refresh() {
      bar.update(state.value ?? 0, { head: head(), tail: tail() });
      if (Date.now() - lastDraw >= 1000 / REDRAW_FPS) {
        bars.update();
        lastDraw = Date.now();
      }
    },
    stop() {
      bars.stop();
      busy.delete(terminal.stream);
    },
  };
}

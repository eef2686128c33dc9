import { Writable } from 'stream';
import { StringDecoder } from 'string_decoder';
import type { ElectronBuilderApi } from './builder-module';

/**
 * Sends electron-builder's log (builder-util's logger, which writes its pieces to a stream) line by
 * line to `log` (the task's masked log) until the returned function is called.
 */
export function routeBuilderLog(api: ElectronBuilderApi, log: (line: string) => void): () => void {
  const logger = api.log;
  if (!logger || !('stream' in logger)) return () => undefined;
  const previous = logger.stream;
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const flush = (text: string) => {
    pending += text;
    const lines = pending.split(/\r?\n/);
    pending = lines.pop() ?? '';
    for (const line of lines) log(line.replace(/^\s{2}/, ''));
  };
  logger.stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      flush(typeof chunk === 'string' ? chunk : decoder.write(chunk));
      done();
    },
  });
  return () => {
    flush(decoder.end());
    if (pending) log(pending);
    pending = '';
    logger.stream = previous;
  };
}

/** Sets variables in this process (electron-builder runs in it and reads them), returning what restores them. */
export function withProcessEnv(vars: Record<string, string>, env: NodeJS.ProcessEnv = process.env): () => void {
  const saved = Object.keys(vars).map((k) => [k, env[k]] as const);
  Object.assign(env, vars);
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
  };
}

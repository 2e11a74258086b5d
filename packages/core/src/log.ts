// NUMBAT_LOG=info|debug: what numbat decides and how long it takes, one line
// per event on stderr ("numbat[info] ..."). info: the target choice (and why),
// each compile with its stages' times, disk-cache hits; debug adds the
// in-memory specialisation hits and native libraries' own warnings (Dawn's).
// Off by default: numbat prints nothing unless asked. Read once per process.

export type LogLevel = 'off' | 'info' | 'debug';

const RANK: Record<LogLevel, number> = { off: 0, info: 1, debug: 2 };

type ProcessLike = { env?: Record<string, string | undefined>; stderr?: { write(s: string): unknown } };
const proc = (): ProcessLike | undefined => (globalThis as { process?: ProcessLike }).process;

let level: LogLevel | undefined;

/** The level NUMBAT_LOG asks for ('off' when unset); an unknown value is reported once and ignored. */
export function logLevel(): LogLevel {
  if (level === undefined) {
    const raw = (proc()?.env?.NUMBAT_LOG ?? '').trim().toLowerCase();
    if (raw === '' || raw === 'off' || raw === '0' || raw === 'none') level = 'off';
    else if (raw === 'info' || raw === 'debug') level = raw;
    else {
      level = 'off';
      write(`numbat: NUMBAT_LOG='${raw}' is not one of info, debug, off; logging stays off\n`);
    }
  }
  return level;
}

/** Whether messages of `at` are shown (cheap: guard expensive messages with it). */
export function logEnabled(at: 'info' | 'debug'): boolean {
  return RANK[logLevel()] >= RANK[at];
}

/** Writes `numbat[level] message` to stderr when NUMBAT_LOG allows it; a function is only called then. */
export function log(at: 'info' | 'debug', message: string | (() => string)): void {
  if (!logEnabled(at)) return;
  write(`numbat[${at}] ${typeof message === 'function' ? message() : message}\n`);
}

/** Milliseconds since `t0` (performance.now()), formatted for a log line. */
export function ms(t0: number): string {
  return `${(performance.now() - t0).toFixed(1)} ms`;
}

function write(line: string): void {
  const err = proc()?.stderr;
  if (err) err.write(line);
  else console.error(line.trimEnd()); // a browser: the console
}

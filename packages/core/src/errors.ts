// User-facing errors. A CompileError names the construct, the line in the
// user's file and shows a code frame; its stack is the message alone, because a
// trace through the compiler's internals tells the user nothing.

import type { Loc, SourceInfo } from './ir/nodes.js';

export class CompileError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly frame: string;
  constructor(
    /** What the user wrote, e.g. "string literal", "call of unknown function 'foo'". */
    readonly construct: string,
    message: string,
    readonly kernel: string,
    source?: SourceInfo,
    loc?: Loc,
  ) {
    const where = loc ? `${source?.file ?? '<kernel>'}:${loc.line}:${loc.column}` : (source?.file ?? '<kernel>');
    const frame = source && loc ? codeFrame(source, loc) : '';
    super(`${message}\n  in kernel '${kernel}' at ${where}${frame ? '\n' + frame : ''}`);
    this.name = 'CompileError';
    this.file = source?.file;
    this.line = loc?.line;
    this.column = loc?.column;
    this.frame = frame;
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** A kernel failed while running: out-of-bounds access, barrier divergence. */
export class LaunchError extends Error {
  constructor(message: string, readonly kernel: string, readonly detail: Record<string, unknown> = {}) {
    super(message);
    this.name = 'LaunchError';
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** Three lines of context around `loc`, with a caret under the column. */
export function codeFrame(source: SourceInfo, loc: Loc): string {
  const lines = source.text.split('\n');
  const idx = loc.line - source.firstLine;
  if (idx < 0 || idx >= lines.length) return '';
  const from = Math.max(0, idx - 2), to = Math.min(lines.length - 1, idx + 1);
  const width = String(source.firstLine + to).length;
  const out: string[] = [];
  for (let i = from; i <= to; i++) {
    const n = String(source.firstLine + i).padStart(width);
    out.push(`${i === idx ? '>' : ' '} ${n} | ${lines[i]}`);
    if (i === idx) out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, loc.column - 1))}^`);
  }
  return out.join('\n');
}

/** "file:line" of a location, for runtime messages. */
export function siteOf(source: SourceInfo, loc?: Loc): string {
  return `${source.file ?? '<kernel>'}:${loc?.line ?? source.firstLine}`;
}

// User-facing errors. A CompileError names the construct, the line in the
// user's file and shows a code frame; its stack is the message alone, because a
// trace through the compiler's internals tells the user nothing.

import type { Loc, SourceInfo } from './ir/nodes.js';
import { hashString } from './hash.js';

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

/** Where an out-of-bounds access happened (thread and block coordinates as x, y, z). */
export interface OutOfBounds {
  array: string;
  index: number;
  length: number;
  /** The access's line in the user's file (unknown: '?'). */
  line?: number;
  thread: number[];
  block: number[];
}

/**
 * The run-time errors every target reports, worded once so that a kernel fails
 * with the same message on each (the backends only decode where it happened).
 */
/**
 * `throw new Error(msg)` in a kernel is an always-failing access of a one-element
 * constant array named by `thrownArrayName(msg)` (frontend/throw.ts): each
 * backend reports it through its bounds-check record, and launchErrors turns
 * the report back into the thrown message.
 */
const thrownMessages = new Map<string, string>();
export function thrownArrayName(message: string): string {
  const name = `nb_throw_${hashString(message)}`;
  thrownMessages.set(name, message);
  return name;
}

export const launchErrors = {
  outOfBounds(kernel: string, e: OutOfBounds): LaunchError {
    const thrown = thrownMessages.get(e.array);
    if (thrown !== undefined) return launchErrors.thrown(kernel, { message: thrown, line: e.line, thread: e.thread, block: e.block });
    return new LaunchError(
      `kernel '${kernel}': index ${e.index} out of bounds for array '${e.array}' of length ${e.length} (line ${e.line ?? '?'}), thread (${e.thread.join(', ')}) of block (${e.block.join(', ')})`,
      kernel, { array: e.array, index: e.index, length: e.length, thread: e.thread, block: e.block, line: e.line },
    );
  },
  /** A thread ran `throw new Error(message)` (numba's exceptions in kernels); the launch ends with it. */
  thrown(kernel: string, e: { message: string; line?: number; thread: number[]; block: number[] }): LaunchError {
    return new LaunchError(
      `kernel '${kernel}': ${e.message} (thrown on line ${e.line ?? '?'}), thread (${e.thread.join(', ')}) of block (${e.block.join(', ')})`,
      kernel, { thrown: e.message, line: e.line, thread: e.thread, block: e.block },
    );
  },
  /** A thread returned while another of its block waits at the barrier on `line`. */
  barrierExit(kernel: string, e: { block: number[]; exited: number[]; waiting: number[]; line?: number }): LaunchError {
    return new LaunchError(
      `kernel '${kernel}': in block (${e.block.join(', ')}), thread (${e.exited.join(', ')}) exited while thread (${e.waiting.join(', ')}) waits at cuda.syncthreads() (line ${e.line ?? '?'}). On a GPU this is undefined behaviour (a hang or a wrong result); guard the work with an if instead of returning early.`,
      kernel, { block: e.block, barrierLine: e.line },
    );
  },
  /** Two threads of a block wait at different barriers (`a` on line `lineA`, `b` on `lineB`). */
  barrierMismatch(kernel: string, e: { block: number[]; a: number[]; lineA?: number; b: number[]; lineB?: number }): LaunchError {
    return new LaunchError(
      `kernel '${kernel}': in block (${e.block.join(', ')}), thread (${e.a.join(', ')}) waits at cuda.syncthreads() on line ${e.lineA ?? '?'} while thread (${e.b.join(', ')}) waits at the one on line ${e.lineB ?? '?'}; all threads of a block must reach the same barrier.`,
      kernel, { block: e.block },
    );
  },
  /** A warp operation's mask names a lane that cannot take part (absent, exited, elsewhere) or omits the caller. */
  warpMask(kernel: string, e: { block: number[]; thread: number[]; op: string; line?: number; mask: number; what: string }): LaunchError {
    return new LaunchError(
      `kernel '${kernel}': in block (${e.block.join(', ')}), thread (${e.thread.join(', ')}) calls ${e.op}() on line ${e.line ?? '?'} with mask 0x${e.mask.toString(16).padStart(8, '0')}, which ${e.what}. Every lane a mask names must reach the same warp operation (on a GPU this is undefined behaviour).`,
      kernel, { block: e.block, thread: e.thread, line: e.line, mask: e.mask },
    );
  },
  /** Grid sync: every thread of block `exited` has returned while block `waiting` waits at the grid barrier on `line`. */
  gridBarrierExit(kernel: string, e: { exited?: number[]; waiting?: number[]; line?: number }): LaunchError {
    const block = (b: number[] | undefined, other: string): string => (b ? `block (${b.join(', ')})` : other);
    return new LaunchError(
      `kernel '${kernel}': ${block(e.exited, 'a block')} exited while ${block(e.waiting, 'other blocks')} wait${e.waiting ? 's' : ''} at cuda.cg.this_grid().sync()${e.line ? ` (line ${e.line})` : ''}; every block of the grid must reach each grid barrier (on a GPU this hangs).`,
      kernel, { block: e.exited, barrierLine: e.line },
    );
  },
  /** Grid sync: the launch has more blocks than the target can keep resident at once. */
  gridTooLarge(kernel: string, e: { target: string; blocks: number; limit: number; why: string }): LaunchError {
    return new LaunchError(
      `kernel '${kernel}' uses cuda.cg.this_grid().sync(), which needs every block of the grid resident at once: target '${e.target}' holds at most ${e.limit} block(s) of this size (${e.why}), the grid has ${e.blocks}. Launch at most ${e.limit} blocks (loop over the data inside the kernel, grid-stride).`,
      kernel, { blocks: e.blocks, limit: e.limit },
    );
  },
  /** An error record whose kind this runtime does not know (a bug: the code generator and runtime disagree). */
  unknown(kernel: string, kind: number, block?: number[]): LaunchError {
    return new LaunchError(`kernel '${kernel}': the launch failed (error kind ${kind})`, kernel, block ? { block } : {});
  },
};

/** Three lines of context around `loc`, with a caret under the column. */
export function codeFrame(source: SourceInfo, loc: Loc): string {
  const lines = source.text.split('\n');
  const idx = loc.line - source.firstLine;
  if (idx < 0 || idx >= lines.length) return '';
  const from = Math.max(0, idx - 2), to = Math.min(lines.length - 1, idx + 1);
  const width = String(source.firstLine + to).length;
  const out: string[] = [];
  // A minified bundle's line can be 100 kB: show a window around the column.
  const col = Math.max(0, loc.column - 1);
  const start = Math.max(0, col - FRAME_WIDTH / 2);
  const clip = (line: string) => (line.length <= FRAME_WIDTH ? line : `${start > 0 ? '…' : ''}${line.slice(start, start + FRAME_WIDTH)}${line.length > start + FRAME_WIDTH ? '…' : ''}`);
  const caret = lines[idx].length <= FRAME_WIDTH ? col : col - start + (start > 0 ? 1 : 0);
  for (let i = from; i <= to; i++) {
    const n = String(source.firstLine + i).padStart(width);
    out.push(`${i === idx ? '>' : ' '} ${n} | ${clip(lines[i])}`);
    if (i === idx) out.push(`  ${' '.repeat(width)} | ${' '.repeat(caret)}^`);
  }
  return out.join('\n');
}

const FRAME_WIDTH = 160;

/** "file:line" of a location, for runtime messages. */
export function siteOf(source: SourceInfo, loc?: Loc): string {
  return `${source.file ?? '<kernel>'}:${loc?.line ?? source.firstLine}`;
}

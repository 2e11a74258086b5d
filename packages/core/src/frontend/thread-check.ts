// `checkThread(states, i, n)` (random/thread-check.ts), core's random library
// only: the one bounds check of a draw. Thread i's words lie at w * n + i of an
// array of n threads' words; i >= n lands on other threads' words, so the
// check is one access of thread i's last word, index length - n + i, which is
// in bounds exactly when 0 <= i < n (n <= length). Out of range it reports i
// itself when negative, else that index (at least length), through every
// backend's ordinary bounds-check record. Then the calling
// function's later accesses of the array (and those of the functions it calls)
// are marked inBounds: the library writes only w * n + i with w < length / n.

import type { Expr, Loc } from '../ir/nodes.js';
import { loadType } from '../types.js';
import type { Frame, LowerContext, N } from './context.js';
import { arrayKey } from './context.js';
import type { Val } from './values.js';
import { bin, constExpr, conv } from './ir-build.js';
import { arrayLength, lowerExpr, scalarsInOrder } from './expressions.js';
import { viewIndex } from './arrays.js';
import { resolveHostValue } from './names.js';
import { CompileError } from '../errors.js';

export const THREAD_CHECK_PATH = 'random.checkThread';

export function threadCheck(cx: LowerContext, node: N, args: N[]): Val {
  if (args.length !== 3) cx.fail(node, 'checkThread', 'checkThread(states, i, n) takes 3 arguments');
  const arr = lowerExpr(cx, args[0]);
  if (arr.k !== 'array') return cx.fail(args[0], 'checkThread', 'the first argument of checkThread must be an array');
  // Checked here, at the library's first statement, so that a wrong array is named at the user's
  // call instead of failing later inside the library's Philox rounds (f32 words, say).
  if (arr.elem !== 'u32') {
    const k = libraryEntry(cx);
    throw new CompileError('random states', `random.${cx.frames[k].parsed.name} draws from the states array random.createStates makes (a Uint32Array, u32[]); its first argument '${arr.name}' is ${arr.elem}[]`, cx.input.parsed.name, cx.frames[k - 1].parsed.source, cx.frames[k].callLoc);
  }
  const [i, n] = scalarsInOrder(cx, args.slice(1), 'an argument of checkThread').map((v) => cx.stable(conv(v.e, 'i32')));
  if (cx.input.boundscheck !== false) {
    const length = cx.stable(conv(arrayLength(cx, arr, node).e, 'i32'));
    const i32 = (op: 'add' | 'sub', a: Expr, b: Expr) => bin(op, 'i32', 'i32', a, b);
    // i >= n: length - n + i >= length, or past 2^31 - 1 wrapped to a negative index: out of bounds either way.
    const last = i32('add', i32('sub', length, n), i);
    let index: Expr = { kind: 'cond', type: 'i32', c: bin('lt', 'i32', 'bool', i, constExpr('i32', 0)), a: i, b: last };
    if (arr.view) index = viewIndex(cx, arr, index);
    const loc = callerLoc(cx) ?? cx.loc(node);
    const t = cx.temp(loadType(arr.elem), 'thread_check');
    cx.emit({ kind: 'assign', local: t, value: { kind: 'load', array: arr.ref, index, type: loadType(arr.elem), loc }, loc });
  }
  (cx.frame.inBounds ??= new Set()).add(arrayKey(arr.ref));
  return cx.lit(0);
}

/**
 * Where the user called the library: the call that entered the outermost of
 * the enclosing library functions (those whose globals hold checkThread), so a
 * user sees their own line in the error, not one of core's.
 */
function callerLoc(cx: LowerContext): Loc | undefined {
  return cx.frames[libraryEntry(cx)].callLoc;
}

/** The frame of the outermost enclosing library function, the one the user's code called (k >= 1). */
function libraryEntry(cx: LowerContext): number {
  const library = (f: Frame) => Object.values(f.globals).some((v) => {
    const b = typeof v === 'function' ? resolveHostValue(undefined, v) : undefined;
    return b?.k === 'ns' && b.path === THREAD_CHECK_PATH;
  });
  let k = cx.frames.length - 1;
  while (k > 1 && library(cx.frames[k - 1])) k--;
  return k;
}

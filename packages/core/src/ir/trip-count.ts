// Bounds on how often loops run, where the IR proves one: a counted loop
// `for (let i = C0; i < C1; i += C2)` (or <=, >, >=, !=, and cuda.range with
// constant bounds) on an i32/u32 local that nothing else in the loop assigns.
// Backends use it to know a thread cannot run more than so many loop passes.

import type { Expr, LoopStmt, Stmt } from './nodes.js';

/** Per loop: the most passes (condition tests) it runs over one run of the code analysed, or Infinity. */
export type LoopPassBounds = Map<LoopStmt, number>;

/**
 * For every loop in `body` (nested ones too): a bound on its passes over one run of
 * `body`: (trip count + 1) per entry times the enclosing loops' trip counts; Infinity
 * where some factor is unknown. A body that a loop cannot reach is still counted.
 */
export function loopPassBounds(body: Stmt[]): LoopPassBounds {
  const out: LoopPassBounds = new Map();
  walk(body, 1, out);
  return out;
}

/** 0 × Infinity is 0 here: a loop that never runs runs nothing inside it. */
const mul = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : a * b);

function walk(stmts: Stmt[], runs: number, out: LoopPassBounds): void {
  stmts.forEach((s, i) => {
    if (s.kind === 'if') { walk(s.then, runs, out); walk(s.else, runs, out); }
    if (s.kind !== 'loop') return;
    const trips = loopTripBound(s, stmts.slice(0, i)) ?? Infinity;
    out.set(s, mul(runs, trips + 1));
    walk(s.body, mul(runs, trips), out);
    walk(s.update, mul(runs, trips), out);
  });
}

/**
 * The most iterations one entry of `loop` runs, or undefined when not provable.
 * `before`: the statements preceding the loop in its block (the induction variable's
 * constant start must be the last of them to assign it, at the top level).
 */
export function loopTripBound(loop: LoopStmt, before: Stmt[]): number | undefined {
  if (!loop.cond) return undefined;
  let best: number | undefined;
  // `a && b` leaves when either does: any conjunct's bound bounds the loop.
  for (const c of conjuncts(loop.cond)) {
    const t = counted(loop, c, before);
    if (t !== undefined && (best === undefined || t < best)) best = t;
  }
  return best;
}

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'logical' && e.op === 'and' ? [...conjuncts(e.a), ...conjuncts(e.b)] : [e];
}

type Cmp = 'lt' | 'le' | 'gt' | 'ge' | 'ne';
const FLIP: Record<Cmp, Cmp> = { lt: 'gt', le: 'ge', gt: 'lt', ge: 'le', ne: 'ne' };
const RANGE = { i32: [-(2 ** 31), 2 ** 31 - 1], u32: [0, 2 ** 32 - 1] } as const;

function counted(loop: LoopStmt, cond: Expr, before: Stmt[]): number | undefined {
  if (cond.kind !== 'binary' || !(cond.op in FLIP) || (cond.opType !== 'i32' && cond.opType !== 'u32')) return undefined;
  let op = cond.op as Cmp;
  let iv = cond.a, bound = cond.b;
  if (iv.kind !== 'local') { [iv, bound] = [bound, iv]; op = FLIP[op]; }
  if (iv.kind !== 'local' || iv.type !== cond.opType) return undefined;
  const end = constNumber(bound);
  const step = stepOf(loop, iv.id, cond.opType);
  const start = startOf(before, iv.id);
  if (end === undefined || step === undefined || start === undefined) return undefined;
  const trips = tripsOf(start, end, step, op);
  if (trips === undefined) return undefined;
  // The values run monotonically from start to the first that fails: none may wrap.
  const [lo, hi] = RANGE[cond.opType];
  const last = start + trips * step;
  return last >= lo && last <= hi && start >= lo && start <= hi ? trips : undefined;
}

/** Iterations of `for (v = start; v op end; v += step)` in exact integers, undefined if it never ends. */
function tripsOf(start: number, end: number, step: number, op: Cmp): number | undefined {
  const holds = (v: number): boolean =>
    op === 'lt' ? v < end : op === 'le' ? v <= end : op === 'gt' ? v > end : op === 'ge' ? v >= end : v !== end;
  if (!holds(start)) return 0;
  if (op === 'ne') {
    const k = (end - start) / step;
    return Number.isInteger(k) && k > 0 ? k : undefined;
  }
  const up = op === 'lt' || op === 'le';
  if (up !== step > 0) return undefined;
  const gap = Math.abs(end - start);
  const s = Math.abs(step);
  return op === 'lt' || op === 'gt' ? Math.ceil(gap / s) : Math.floor(gap / s) + 1;
}

function constNumber(e: Expr): number | undefined {
  return e.kind === 'const' && typeof e.value === 'number' && Number.isInteger(e.value) ? e.value : undefined;
}

/**
 * The constant step of `iv`: its only assignment in the loop is `iv = iv ± C`, at the
 * top level of `update` (continue jumps there), or, with no update and no continue of
 * this loop, as the body's last statement (a while loop counting at its end).
 */
function stepOf(loop: LoopStmt, iv: number, type: 'i32' | 'u32'): number | undefined {
  const all = [...loop.body, ...loop.update];
  if (countAssigns(all, iv) !== 1) return undefined;
  let s = loop.update.find((x) => x.kind === 'assign' && x.local === iv);
  if (!s && loop.update.length === 0 && !continues(loop.body)) {
    const last = loop.body[loop.body.length - 1];
    if (last?.kind === 'assign' && last.local === iv) s = last;
  }
  if (s?.kind !== 'assign') return undefined;
  const v = s.value;
  if (v.kind !== 'binary' || v.opType !== type || (v.op !== 'add' && v.op !== 'sub')) return undefined;
  const isIv = (e: Expr): boolean => e.kind === 'local' && e.id === iv;
  let c: number | undefined;
  if (isIv(v.a)) c = constNumber(v.b);
  else if (v.op === 'add' && isIv(v.b)) c = constNumber(v.a);
  if (c === undefined || c === 0) return undefined;
  // A u32 step is held as its bits: only small ones are taken as steps.
  if (type === 'u32' && c > 2 ** 31) return undefined;
  return v.op === 'sub' ? -c : c;
}

/** `iv`'s value on entry: the last statement before the loop that assigns it must set a constant. */
function startOf(before: Stmt[], iv: number): number | undefined {
  for (let i = before.length - 1; i >= 0; i--) {
    const s = before[i];
    if (countAssigns([s], iv) === 0) continue;
    return s.kind === 'assign' && s.local === iv ? constNumber(s.value) : undefined;
  }
  return undefined;
}

/** How many statements in `stmts` (nested ones too) write local `id`. */
function countAssigns(stmts: Stmt[], id: number): number {
  let n = 0;
  for (const s of stmts) {
    if (s.kind === 'assign' && s.local === id) n++;
    else if (s.kind === 'warp' && (s.local === id || s.pred === id)) n++;
    else if (s.kind === 'if') n += countAssigns(s.then, id) + countAssigns(s.else, id);
    else if (s.kind === 'loop') n += countAssigns(s.body, id) + countAssigns(s.update, id);
  }
  return n;
}

/** A `continue` of this loop (not of a nested one). */
function continues(stmts: Stmt[]): boolean {
  return stmts.some((s) => s.kind === 'continue' || (s.kind === 'if' && (continues(s.then) || continues(s.else))));
}

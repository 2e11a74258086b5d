// Bounds on how often loops run, where the IR proves one: a counted loop
// `for (let i = A; i < B; i += C)` (or <=, >, >=, !=; while and do-while loops
// that count; cuda.range) on an i32/u32 local that only its step assigns in the
// loop, with a constant step and start and bound of known range (constants,
// `x & 7`, sums of such, locals only ever assigned such values).
// Backends use it to know a thread cannot run more than so many loop passes.

import type { Expr, LoopStmt, Stmt } from './nodes.js';
import { isExitTest } from './walk.js';

/** Bounds of one loop, Infinity where unknown. */
export interface LoopBound {
  /** The most iterations one entry of the loop runs. */
  trips: number;
  /** The most passes (condition tests) it runs over one run of the code analysed. */
  passes: number;
}
export type LoopPassBounds = Map<LoopStmt, LoopBound>;

/**
 * For every loop in `body` (nested ones too): its trip bound per entry, and a bound on
 * its passes over one run of `body`: (trips + 1) per entry times the enclosing loops'
 * trips. A loop that cannot be reached is still counted.
 */
export function loopPassBounds(body: Stmt[]): LoopPassBounds {
  const out: LoopPassBounds = new Map();
  const ranges = new Ranges(body);
  walk(body, 1, out, ranges);
  return out;
}

/** 0 × Infinity is 0 here: a loop that never runs runs nothing inside it. */
const mul = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : a * b);

function walk(stmts: Stmt[], runs: number, out: LoopPassBounds, ranges: Ranges): void {
  stmts.forEach((s, i) => {
    if (s.kind === 'if') { walk(s.then, runs, out, ranges); walk(s.else, runs, out, ranges); }
    if (s.kind !== 'loop') return;
    const trips = loopTripBound(s, stmts.slice(0, i), ranges) ?? Infinity;
    out.set(s, { trips, passes: mul(runs, trips + 1) });
    walk(s.body, mul(runs, trips), out, ranges);
    walk(s.update, mul(runs, trips), out, ranges);
  });
}

/**
 * The most iterations one entry of `loop` runs, or undefined when not provable.
 * `before`: the statements preceding the loop in its block (the induction variable's
 * start must be the last of them to assign it, at the top level). `ranges`: what the
 * kernel's locals can hold (without it, only constants have a range).
 */
export function loopTripBound(loop: LoopStmt, before: Stmt[], ranges: Ranges = new Ranges([])): number | undefined {
  let best: number | undefined;
  const take = (t: number | undefined): void => { if (t !== undefined && (best === undefined || t < best)) best = t; };
  // `a && b` leaves when either does: any conjunct's bound bounds the loop.
  if (loop.cond) for (const c of conjuncts(loop.cond)) take(counted(loop, c, before, ranges, 0));
  // do-while: `if (!c) break` ends the update; the body runs once before c is first tested.
  const last = loop.update[loop.update.length - 1];
  if (isExitTest(last)) {
    const stay = negation(last.cond);
    if (stay) for (const c of conjuncts(stay)) { const t = counted(loop, c, before, ranges, 1); take(t === undefined ? t : t + 1); }
  }
  return best;
}

/** The condition under which `if (e) break` stays in the loop, for integer comparisons. */
function negation(e: Expr): Expr | undefined {
  if (e.kind === 'unary' && e.op === 'not') return e.x;
  const NEG: Partial<Record<string, Cmp | 'eq'>> = { lt: 'ge', le: 'gt', gt: 'le', ge: 'lt', eq: 'ne', ne: 'eq' };
  if (e.kind === 'binary' && NEG[e.op] && (e.opType === 'i32' || e.opType === 'u32')) return { ...e, op: NEG[e.op]! };
  return undefined;
}

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'logical' && e.op === 'and' ? [...conjuncts(e.a), ...conjuncts(e.b)] : [e];
}

type Cmp = 'lt' | 'le' | 'gt' | 'ge' | 'ne';
const FLIP: Record<Cmp, Cmp> = { lt: 'gt', le: 'ge', gt: 'lt', ge: 'le', ne: 'ne' };
const RANGE = { i32: [-(2 ** 31), 2 ** 31 - 1], u32: [0, 2 ** 32 - 1] } as const;

/**
 * Iterations of the loop while `cond` holds, the first test seeing the start plus
 * `stepsFirst` steps (1 for a do-while's test after the body).
 */
function counted(loop: LoopStmt, cond: Expr, before: Stmt[], ranges: Ranges, stepsFirst: number): number | undefined {
  if (cond.kind !== 'binary' || !(cond.op in FLIP) || (cond.opType !== 'i32' && cond.opType !== 'u32')) return undefined;
  let op = cond.op as Cmp;
  let iv = cond.a, bound = cond.b;
  if (iv.kind !== 'local') { [iv, bound] = [bound, iv]; op = FLIP[op]; }
  if (iv.kind !== 'local' || iv.type !== cond.opType) return undefined;
  // The bound may be re-evaluated each pass: its range holds whatever it reads.
  const end = ranges.of(bound);
  const step = stepOf(loop, iv.id, cond.opType);
  const start0 = startOf(before, iv.id, ranges);
  if (end === undefined || step === undefined || start0 === undefined) return undefined;
  const start: Range = [start0[0] + stepsFirst * step, start0[1] + stepsFirst * step];
  const [lo, hi] = RANGE[cond.opType];
  if (start[0] < lo || start[1] > hi) return undefined; // a do-while's first step wrapped
  if (op === 'ne') {
    // Exact values only: v counts onto the bound.
    if (start[0] !== start[1] || end[0] !== end[1] || start[0] < lo || start[0] > hi) return undefined;
    const k = (end[0] - start[0]) / step;
    return k === 0 ? 0 : Number.isInteger(k) && k > 0 ? k : undefined;
  }
  const up = op === 'lt' || op === 'le';
  if (up !== step > 0) return undefined;
  // The most iterations: from the far end of the start's range to the far end of the bound's.
  const from = up ? start[0] : start[1];
  const to = up ? end[1] : end[0];
  // No value may wrap on the way: the last one tested lies within a step past the bound.
  if (up ? to + step > hi || from < lo : to + step < lo || from > hi) return undefined;
  const gap = up ? to - from : from - to;
  const s = Math.abs(step);
  if (gap < 0 || (gap === 0 && (op === 'lt' || op === 'gt'))) return 0;
  return op === 'lt' || op === 'gt' ? Math.ceil(gap / s) : Math.floor(gap / s) + 1;
}

function constNumber(e: Expr): number | undefined {
  return e.kind === 'const' && typeof e.value === 'number' && Number.isInteger(e.value) ? e.value : undefined;
}

/**
 * The constant step of `iv`: its only assignment in the loop is `iv = iv ± C`, at the
 * top level of `update` (continue jumps there) or of the body with no continue of this
 * loop before it: every iteration that goes on to the next test has taken one step.
 */
function stepOf(loop: LoopStmt, iv: number, type: 'i32' | 'u32'): number | undefined {
  const all = [...loop.body, ...loop.update];
  if (countAssigns(all, iv) !== 1) return undefined;
  const isStep = (x: Stmt): boolean => x.kind === 'assign' && x.local === iv;
  let s = loop.update.find(isStep);
  const k = loop.body.findIndex(isStep);
  if (!s && k >= 0 && !continues(loop.body.slice(0, k))) s = loop.body[k];
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

/** `iv`'s value on entry: the last statement before the loop that assigns it sets a value of known range. */
function startOf(before: Stmt[], iv: number, ranges: Ranges): Range | undefined {
  for (let i = before.length - 1; i >= 0; i--) {
    const s = before[i];
    if (countAssigns([s], iv) === 0) continue;
    return s.kind === 'assign' && s.local === iv ? ranges.of(s.value) : undefined;
  }
  return undefined;
}

type Range = [number, number];

/**
 * Value ranges of i32/u32 expressions, whatever the thread's data: constants, `x & C`
 * (C ≥ 0), sums, min/max and selects of such, and locals whose every assignment in
 * the kernel (and their start, 0) is such.
 */
export class Ranges {
  private readonly assigned = new Map<number, Expr[] | 'unknown'>();
  private readonly memo = new Map<number, Range | undefined>();

  constructor(body: Stmt[]) {
    const note = (stmts: Stmt[]): void => {
      for (const s of stmts) {
        if (s.kind === 'assign') {
          const l = this.assigned.get(s.local) ?? [];
          if (l !== 'unknown') { l.push(s.value); this.assigned.set(s.local, l); }
        } else if (s.kind === 'warp') {
          for (const id of [s.local, s.pred]) if (id !== undefined) this.assigned.set(id, 'unknown');
        } else if (s.kind === 'if') { note(s.then); note(s.else); }
        else if (s.kind === 'loop') { note(s.body); note(s.update); }
      }
    };
    note(body);
  }

  of(e: Expr): Range | undefined {
    if (e.type !== 'i32' && e.type !== 'u32') return undefined;
    const r = this.raw(e);
    const [lo, hi] = RANGE[e.type];
    return r && r[0] >= lo && r[1] <= hi ? r : undefined;
  }

  private raw(e: Expr): Range | undefined {
    switch (e.kind) {
      case 'const': { const v = constNumber(e); return v === undefined ? undefined : [v, v]; }
      case 'local': return this.local(e.id);
      case 'select': case 'cond': return union(this.of(e.a), this.of(e.b));
      case 'binary': {
        if (e.opType !== e.type) return undefined;
        const a = this.of(e.a), b = this.of(e.b);
        switch (e.op) {
          case 'and': {
            // Bits of a non-negative operand bound the result, whatever the other one is.
            const his = [a, b].filter((r): r is Range => r !== undefined && r[0] >= 0).map((r) => r[1]);
            return his.length ? [0, Math.min(...his)] : undefined;
          }
          case 'add': return a && b ? [a[0] + b[0], a[1] + b[1]] : undefined;
          case 'sub': return a && b ? [a[0] - b[1], a[1] - b[0]] : undefined;
          case 'min': return a && b ? [Math.min(a[0], b[0]), Math.min(a[1], b[1])] : undefined;
          case 'max': return a && b ? [Math.max(a[0], b[0]), Math.max(a[1], b[1])] : undefined;
          default: return undefined;
        }
      }
      default: return undefined;
    }
  }

  private local(id: number): Range | undefined {
    if (this.memo.has(id)) return this.memo.get(id);
    this.memo.set(id, undefined); // a local defined through itself has no range here
    const values = this.assigned.get(id) ?? [];
    let r: Range | undefined = [0, 0];
    if (values === 'unknown') r = undefined;
    else for (const v of values) r = union(r, this.of(v));
    this.memo.set(id, r);
    return r;
  }
}

function union(a: Range | undefined, b: Range | undefined): Range | undefined {
  return a && b ? [Math.min(a[0], b[0]), Math.max(a[1], b[1])] : undefined;
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

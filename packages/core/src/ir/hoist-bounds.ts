// Bounds checks hoisted out of grid-stride loops, by loop versioning. A pure
// IR transform that backends with per-access checks may apply (webgpu, cuda);
// the simulator, the oracle, never needs it.
//
//   for (i = start; i < n; i += step) { ... a[i] ... out[i] = ... }
//
// becomes
//
//   if (i >= 0 && n >= 0 && n <= a.length && n <= out.length && step >= 0 && step <= 2^31 - 1 - n)
//     the same loop, its a[i] and out[i] marked inBounds (no check)
//   else
//     the loop as it was (every access checked, so an out-of-range index is
//     still reported with its array, index and thread)
//
// Why the first copy never leaves the arrays: the body runs only with
// 0 <= i < n <= length, and i + step <= n - 1 + step <= 2^31 - 2 cannot wrap,
// so i stays >= 0. Both copies do the same work in the same order, so the
// transform changes no result. It applies when: the condition is `i < n` (i32),
// the update is `i = i + step` alone, nothing else in the loop assigns i, and
// `n`, `step` do not change in the loop (constants, scalar parameters, thread
// and block indices, array lengths, locals the loop does not assign). Only
// accesses indexed by `i` itself are marked; others keep their checks. Loops
// with barriers or warp collectives are left alone (the `if` would put them
// under a condition that differs between threads).

import type { ArrayRef, Expr, KernelIR, LoopStmt, Stmt } from './nodes.js';
import { forEachExpr, forEachStmt, stmtExprs } from './walk.js';

const I32_MAX = 2147483647;

/** `ir` with its grid-stride loops versioned (a new body; `ir` itself is not changed). */
export function hoistBoundsChecks(ir: KernelIR): KernelIR {
  let changed = false;
  const rewrite = (stmts: Stmt[]): Stmt[] => stmts.map((s): Stmt => {
    if (s.kind === 'if') return { ...s, then: rewrite(s.then), else: rewrite(s.else) };
    if (s.kind !== 'loop') return s;
    const inner = { ...s, body: rewrite(s.body) };
    // One level of versioning: a loop whose body was versioned already stays as it is (no 2^depth copies).
    if (inner.body.some((b, k) => b !== s.body[k])) { changed = true; return inner; }
    const v = versioned(ir, inner);
    if (v) changed = true;
    return v ?? inner;
  });
  const body = rewrite(ir.body);
  return changed ? { ...ir, body } : ir;
}

function versioned(ir: KernelIR, loop: LoopStmt): Stmt | undefined {
  const c = loop.cond;
  if (!c || c.kind !== 'binary' || c.op !== 'lt' || c.opType !== 'i32' || c.a.kind !== 'local') return undefined;
  const i = c.a.id, n = c.b;
  if (loop.update.length !== 1) return undefined;
  const u = loop.update[0];
  if (u.kind !== 'assign' || u.local !== i || u.value.kind !== 'binary' || u.value.op !== 'add' || u.value.opType !== 'i32') return undefined;
  const { a, b } = u.value;
  const step = a.kind === 'local' && a.id === i ? b : b.kind === 'local' && b.id === i ? a : undefined;
  if (!step) return undefined;

  const assigned = new Set<number>();
  let collective = false;
  forEachStmt(loop.body, (s) => {
    if (s.kind === 'assign') assigned.add(s.local);
    if (s.kind === 'warp') { collective = true; if (s.local !== undefined) assigned.add(s.local); if (s.pred !== undefined) assigned.add(s.pred); }
    if (s.kind === 'barrier') collective = true;
  });
  if (collective || assigned.has(i)) return undefined;
  assigned.add(i);
  if (!invariant(n, assigned) || !invariant(step, assigned)) return undefined;

  // The arrays indexed by i itself, and the length each must cover.
  const lengths = new Map<string, Expr>();
  const byI = (index: Expr) => index.kind === 'local' && index.id === i && index.type === 'i32';
  const note = (ref: ArrayRef, index: Expr) => {
    if (!byI(index)) return;
    const len = lengthOf(ir, ref);
    if (len) lengths.set(refKey(ref), len);
  };
  forEachStmt(loop.body, (s) => {
    if (s.kind === 'store') note(s.array, s.index);
    for (const e of stmtExprs(s)) forEachExpr(e, (x) => { if (x.kind === 'load') note(x.array, x.index); });
  });
  if (lengths.size === 0) return undefined;

  const conds: Expr[] = [ge(local(i), i32(0)), ge(n, i32(0)), ...[...lengths.values()].map((len) => le(n, len)), ge(step, i32(0)), le(step, sub(i32(I32_MAX), n))];
  const pre = conds.reduce((x, y): Expr => ({ kind: 'logical', op: 'and', a: x, b: y, type: 'bool' }));
  const fast: LoopStmt = { ...loop, body: markInBounds(loop.body, (ref, index) => byI(index) && lengths.has(refKey(ref))) };
  return { kind: 'if', cond: pre, then: [fast], else: [loop], loc: loop.loc };
}

/** A value the loop cannot change: no memory reads, no locals it assigns. */
function invariant(e: Expr, assigned: Set<number>): boolean {
  let ok = true;
  forEachExpr(e, (x) => {
    if (x.kind === 'load' || x.kind === 'atomic' || (x.kind === 'local' && assigned.has(x.id))) ok = false;
  });
  return ok;
}

/** The element count of a global array or a fixed-size kernel array (none for dynamic shared memory). */
function lengthOf(ir: KernelIR, ref: ArrayRef): Expr | undefined {
  if (ref.space === 'global') return { kind: 'length', array: ref, type: 'i32' };
  const a = ir.arrays.find((x) => x.id === ref.id);
  return a && a.size > 0 ? i32(a.size) : undefined;
}

const refKey = (r: ArrayRef) => (r.space === 'global' ? `g${r.param}` : `k${r.id}`);

/** A copy of `stmts` whose loads and stores that `inside` accepts are marked inBounds. */
function markInBounds(stmts: Stmt[], inside: (ref: ArrayRef, index: Expr) => boolean): Stmt[] {
  const ex = (e: Expr): Expr => {
    switch (e.kind) {
      case 'const': case 'param': case 'local': case 'special': case 'length': return e;
      case 'unary': case 'convert': case 'bitcast': return { ...e, x: ex(e.x) };
      case 'binary': case 'logical': return { ...e, a: ex(e.a), b: ex(e.b) };
      case 'cond': case 'select': return { ...e, c: ex(e.c), a: ex(e.a), b: ex(e.b) };
      case 'load': return { ...e, index: ex(e.index), ...(inside(e.array, e.index) ? { inBounds: true } : {}) };
      case 'math': return { ...e, args: e.args.map(ex) };
      case 'atomic': return { ...e, index: ex(e.index), value: ex(e.value), ...(e.expected ? { expected: ex(e.expected) } : {}) };
    }
  };
  const st = (s: Stmt): Stmt => {
    switch (s.kind) {
      case 'assign': return { ...s, value: ex(s.value) };
      case 'store': return { ...s, index: ex(s.index), value: ex(s.value), ...(inside(s.array, s.index) ? { inBounds: true } : {}) };
      case 'expr': return { ...s, expr: ex(s.expr) };
      case 'if': return { ...s, cond: ex(s.cond), then: s.then.map(st), else: s.else.map(st) };
      case 'loop': return { ...s, ...(s.cond ? { cond: ex(s.cond) } : {}), body: s.body.map(st), update: s.update.map(st) };
      default: return s;
    }
  };
  return stmts.map(st);
}

const i32 = (value: number): Expr => ({ kind: 'const', type: 'i32', value });
const local = (id: number): Expr => ({ kind: 'local', id, type: 'i32' });
const ge = (a: Expr, b: Expr): Expr => ({ kind: 'binary', op: 'ge', opType: 'i32', type: 'bool', a, b });
const le = (a: Expr, b: Expr): Expr => ({ kind: 'binary', op: 'le', opType: 'i32', type: 'bool', a, b });
const sub = (a: Expr, b: Expr): Expr => ({ kind: 'binary', op: 'sub', opType: 'i32', type: 'i32', a, b });

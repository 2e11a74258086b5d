// Local arrays read and written only at constant indices become one local per
// element: `const w = cuda.local.array(4, 'u32'); random.philox(…, w, 0); w[0] + w[1]`
// (the stateless Philox's output, an accumulator per component). A local array
// is one per thread, zeroed when the thread starts, as every local is, so
// element k and a local that starts at zero hold the same values throughout.
// Only for elements of the IR's own scalar types (i32, u32, f32, f64, i64, u64:
// a load gives what the store stored) and indices in range (an index outside
// the array stays an access, which reports the error). A pure IR transform a
// backend may apply: the cpu does, whose lane groups keep other local arrays
// in memory (each lane's copy in rows of vectors), where these become registers.

import type { ArrayRef, ConstExpr, Expr, KernelIR, Stmt } from './nodes.js';
import { fold } from './fold.js';
import { localScopes } from './local-scopes.js';
import { forEachExpr, forEachStmt, mapChildren, mapLocals, stmtExprs } from './walk.js';
import { loadType, type ElemType } from '../types.js';

const SCALAR_ELEMS: ReadonlySet<ElemType> = new Set(['i32', 'u32', 'f32', 'f64', 'i64', 'u64']);

/** `ir` with such local arrays replaced by locals (a new IR where one was; `ir` itself is not changed). */
export function scalarizeLocalArrays(ir: KernelIR): KernelIR {
  const candidates = new Set(ir.arrays.filter((a) => a.space === 'local' && !a.atomic && SCALAR_ELEMS.has(a.elem)).map((a) => a.id));
  if (!candidates.size) return ir;
  const consts = constantLocals(ir);
  const at = (index: Expr): number | undefined => {
    const k = index.kind === 'const' ? index : fold(withConstants(index, consts));
    return k.kind === 'const' && typeof k.value === 'number' && Number.isInteger(k.value) ? k.value : undefined;
  };
  const local = (r: ArrayRef): number | undefined => (r.space === 'local' && candidates.has(r.id) ? r.id : undefined);
  // Every access at a constant index inside the array (anything else keeps the array).
  const keep = (r: ArrayRef, index?: Expr): void => {
    const id = local(r);
    if (id === undefined) return;
    const k = index && at(index);
    if (k === undefined || k < 0 || k >= ir.arrays[id].size) candidates.delete(id);
  };
  forEachStmt(ir.body, (s) => {
    if (s.kind === 'store') keep(s.array, s.index);
    for (const x of stmtExprs(s)) forEachExpr(x, (y) => {
      if (y.kind === 'load') keep(y.array, y.index);
      else if (y.kind === 'length' || y.kind === 'atomic') keep(y.array);
    });
  });
  if (!candidates.size) return ir;
  const locals = [...ir.locals];
  const slots = new Map<string, number>(); // `${array}:${k}` -> local
  const slot = (id: number, k: number): number => {
    const key = `${id}:${k}`;
    let l = slots.get(key);
    if (l === undefined) {
      const a = ir.arrays[id];
      slots.set(key, (l = locals.length));
      locals.push({ id: l, name: `${a.name}[${k}]`, type: loadType(a.elem) });
    }
    return l;
  };
  const ex = (e: Expr): Expr => {
    const id = e.kind === 'load' ? local(e.array) : undefined;
    if (e.kind === 'load' && id !== undefined) return { kind: 'local', id: slot(id, at(e.index)!), type: e.type, loc: e.loc };
    return mapChildren(e, ex);
  };
  const st = (list: readonly Stmt[]): Stmt[] => list.map((s): Stmt => {
    switch (s.kind) {
      case 'store': {
        const id = local(s.array);
        if (id !== undefined) return { kind: 'assign', local: slot(id, at(s.index)!), value: ex(s.value), loc: s.loc };
        return { ...s, index: ex(s.index), value: ex(s.value) };
      }
      case 'assign': return { ...s, value: ex(s.value) };
      case 'expr': return { ...s, expr: ex(s.expr) };
      case 'if': return { ...s, cond: ex(s.cond), then: st(s.then), else: st(s.else) };
      case 'loop': return { ...s, cond: s.cond && ex(s.cond), body: st(s.body), update: st(s.update) };
      case 'warp': return { ...s, mask: s.mask && ex(s.mask), value: s.value && ex(s.value), lane: s.lane && ex(s.lane) };
      default: return s;
    }
  });
  return { ...ir, locals, body: st(ir.body) };
}

/**
 * Locals that hold one constant wherever they are read: every assignment gives that constant,
 * directly or through such locals (an inlined call's parameter copies: `o = 0` in random.philox,
 * then its callee's copy of `o`), and it is zero or the local is set before every read
 * (localScopes), so the zero it starts with is never seen. Found by rounds until none is added.
 */
function constantLocals(ir: KernelIR): Map<number, ConstExpr> {
  const assigns = new Map<number, Expr[]>();
  const never = new Set<number>();
  forEachStmt(ir.body, (s) => {
    if (s.kind === 'warp') { if (s.local !== undefined) never.add(s.local); if (s.pred !== undefined) never.add(s.pred); }
    if (s.kind === 'assign') (assigns.get(s.local) ?? assigns.set(s.local, []).get(s.local)!).push(s.value);
  });
  const scopes = localScopes(ir.body);
  const out = new Map<number, ConstExpr>();
  for (let added = true; added;) {
    added = false;
    for (const [id, values] of assigns) {
      if (out.has(id) || never.has(id)) continue;
      let c: ConstExpr | undefined;
      const same = values.every((v) => {
        const f = v.kind === 'const' ? v : fold(withConstants(v, out));
        if (f.kind !== 'const' || f.type !== ir.locals[id].type || (c && c.value !== f.value)) return false;
        c = f;
        return true;
      });
      if (same && c && (c.value === 0 || c.value === 0n || c.value === false || scopes.has(id))) { out.set(id, c); added = true; }
    }
  }
  return out;
}

/** A fresh copy of `e` with the constant locals replaced (for folding: fold changes what it is given). */
function withConstants(e: Expr, consts: ReadonlyMap<number, ConstExpr>): Expr {
  return mapLocals(e, (l) => ({ ...(consts.get(l.id) ?? l) }));
}

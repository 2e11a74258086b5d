// Four consecutive element loads that a backend may read as one 16-byte vector
// (vec4<T> in WGSL, ld.global.v4 in PTX). A pure analysis of the IR: core
// only recognises the group; each backend decides whether it can use it.
//
// The group is four statements in a row `x0 = a[i]; x1 = a[i + 1]; x2 = a[i + 2];
// x3 = a[i + 3]` on one global array, where `i` is visibly a multiple of 4
// (`4 * q`, `q * 4` or `q << 2`, i32 arithmetic). Reading the four at once
// gives the same values: nothing is stored between them and none of the
// assigned locals feeds the index. The vector's index is i >> 2 (i itself, not
// the q it came from: 4q wraps modulo 2^32, and it is i that the kernel keeps
// inside the array).

import type { AssignStmt, Expr, LoadExpr, Stmt } from './nodes.js';
import { forEachExpr } from './walk.js';

export interface QuadLoad {
  /** The global array parameter read. */
  param: number;
  /** The index of the first element (a multiple of 4). */
  index: Expr;
  /** The locals the four elements go to, in element order. */
  locals: [number, number, number, number];
  /** The four statements (the group is stmts[start .. start + 4)). */
  stmts: AssignStmt[];
}

/** The group starting at stmts[start], if there is one. */
export function quadLoadAt(stmts: Stmt[], start: number): QuadLoad | undefined {
  if (start + 4 > stmts.length) return undefined;
  const group = stmts.slice(start, start + 4);
  if (!group.every((s): s is AssignStmt & { value: LoadExpr } => s.kind === 'assign' && s.value.kind === 'load')) return undefined;
  const first = group[0].value;
  if (first.array.space !== 'global' || first.index.type !== 'i32' || !isMultipleOf4(first.index) || !isPure(first.index)) return undefined;
  const param = first.array.param;
  const locals = group.map((s) => s.local) as [number, number, number, number];
  if (new Set(locals).size !== 4) return undefined;
  for (let k = 1; k < 4; k++) {
    const v = group[k].value;
    if (v.array.space !== 'global' || v.array.param !== param || !isPlus(v.index, first.index, k)) return undefined;
  }
  // An assigned local used by a later index would change that index.
  let readsAssigned = false;
  forEachExpr(first.index, (e) => { if (e.kind === 'local' && locals.includes(e.id)) readsAssigned = true; });
  if (readsAssigned) return undefined;
  return { param, index: first.index, locals, stmts: group };
}

/** `4 * q`, `q * 4` or `q << 2` in i32. */
function isMultipleOf4(e: Expr): boolean {
  if (e.kind !== 'binary' || e.opType !== 'i32') return false;
  const four = (x: Expr) => x.kind === 'const' && x.value === 4;
  if (e.op === 'mul') return four(e.a) || four(e.b);
  return e.op === 'shl' && e.b.kind === 'const' && e.b.value === 2;
}

/** `base + k` in i32 (the constant on either side). */
function isPlus(e: Expr, base: Expr, k: number): boolean {
  if (e.kind !== 'binary' || e.op !== 'add' || e.opType !== 'i32') return false;
  const isK = (x: Expr) => x.kind === 'const' && x.value === k;
  return (isK(e.b) && sameExpr(e.a, base)) || (isK(e.a) && sameExpr(e.b, base));
}

/** Reads no memory and has no effect, so evaluating it once or four times is the same. */
function isPure(e: Expr): boolean {
  let pure = true;
  forEachExpr(e, (x) => { if (x.kind === 'load' || x.kind === 'atomic') pure = false; });
  return pure;
}

/** Structural equality of two expressions (types and values; source positions ignored). */
export function sameExpr(a: Expr, b: Expr): boolean {
  if (a.kind !== b.kind || a.type !== b.type) return false;
  switch (a.kind) {
    case 'const': return a.value === (b as typeof a).value;
    case 'param': return a.index === (b as typeof a).index;
    case 'local': return a.id === (b as typeof a).id;
    case 'special': return a.reg === (b as typeof a).reg && a.dim === (b as typeof a).dim;
    case 'unary': return a.op === (b as typeof a).op && sameExpr(a.x, (b as typeof a).x);
    case 'convert': return sameExpr(a.x, (b as typeof a).x);
    case 'binary': { const o = b as typeof a; return a.op === o.op && a.opType === o.opType && sameExpr(a.a, o.a) && sameExpr(a.b, o.b); }
    case 'length': return sameArray(a.array, (b as typeof a).array);
    default: return false; // loads, calls, conditionals: not needed here
  }
}

function sameArray(x: LoadExpr['array'], y: LoadExpr['array']): boolean {
  return x.space === 'global' ? y.space === 'global' && x.param === y.param : y.space === x.space && x.id === (y as typeof x).id;
}

// Type inference for locals: a local has one type, the join of everything
// assigned to it. Literals are abstract and adopt the other contributions'
// type; i32 and u32 never join implicitly (JS would keep both exactly, so
// either choice would silently change a value): that is a compile error.

import type { ScalarType } from '../types.js';
import { literalFits, literalType } from './values.js';
import { is64 } from '../types.js';
import { fits64 } from './int64.js';

/** `big`: a BigInt literal (typed i64, or u64), which adopts the other contributions' 64-bit type. */
export type Contribution = { type: ScalarType; lit?: number | boolean; big?: bigint };

export type JoinResult = { ok: true; type: ScalarType } | { ok: false; types: [ScalarType, ScalarType] };

export function joinContributions(cs: Contribution[], float: 'f32' | 'f64'): JoinResult {
  if (cs.some((c) => is64(c.type))) return join64(cs);
  let concrete: ScalarType | undefined;
  for (const c of cs) {
    if (c.lit !== undefined) continue;
    const t = c.type;
    if (concrete === undefined || concrete === t) { concrete = t; continue; }
    const pair = new Set([concrete, t]);
    if (pair.has('i32') && pair.has('u32')) return { ok: false, types: [concrete, t] };
    if (pair.has('f64')) concrete = 'f64';
    else if (pair.has('f32')) concrete = 'f32';
    else if (pair.has('bool')) concrete = concrete === 'bool' ? t : concrete;
  }
  const lits = cs.filter((c) => c.lit !== undefined).map((c) => c.lit as number | boolean);
  if (concrete === undefined) {
    // Only literals: the narrowest natural type that holds them all.
    for (const t of ['bool', 'i32', 'u32'] as const) {
      if (lits.every((v) => (t === 'bool' ? typeof v === 'boolean' : typeof v === 'number' && literalFits(v, t)))) return { ok: true, type: t };
    }
    const anyBool = lits.some((v) => typeof v === 'boolean');
    return { ok: true, type: anyBool && lits.every((v) => typeof v === 'boolean' || literalType(v, float) !== float) ? 'i32' : float };
  }
  if (concrete === 'bool' && lits.some((v) => typeof v === 'number')) concrete = 'i32';
  if ((concrete === 'i32' || concrete === 'u32') && lits.some((v) => !literalFits(v, concrete!))) {
    return { ok: true, type: float };
  }
  return { ok: true, type: concrete };
}

/** The type of one contribution alone (a literal's natural type). */
export function joinOrFirst(c: Contribution, float: 'f32' | 'f64'): ScalarType {
  const j = joinContributions([c], float);
  return j.ok ? j.type : c.type;
}

/**
 * A local assigned BigInts: all i64 or all u64 (BigInt literals adopt it); a number among them is
 * refused. A literal only u64 holds (2^63 and up) makes it u64: an i64 among the others is then a
 * clash, refused, and an i64 that came from the local itself in an earlier round (`let v; v = 2n**64n
 * - 59n; v = v / (v | 1n)`: the first round reads v as i32, `v | 1n` as i64) becomes u64 the next.
 */
function join64(cs: Contribution[]): JoinResult {
  const other = cs.find((c) => !is64(c.type) && c.type !== 'bool');
  const typed = cs.filter((c) => is64(c.type) && c.big === undefined).map((c) => c.type);
  const first = cs.some((c) => c.big !== undefined && !fits64(c.big, 'i64')) ? 'u64' : typed[0] ?? 'i64';
  if (other) return { ok: false, types: [first, other.type] };
  const clash = typed.find((t) => t !== first);
  if (clash) return { ok: false, types: [first, clash] };
  return { ok: true, type: first };
}

// Copies of a loop's trip for blocks of draws (draw-blocks.ts): a list of
// statements copied fresh with its own locals renamed, what is known about
// locals at a point (constants, copies of other locals) substituted and folded,
// `if`s on a known condition reduced to their live arm, repeated expressions
// replaced by the local that holds them; and what is then left unread dropped.

import type { ConstExpr, Expr, KernelIR, LocalExpr, Stmt } from '../ir/nodes.js';
import { fold } from '../ir/fold.js';
import { childExprs, forEachExpr, forEachStmt, mapLocals, stmtExprs } from '../ir/walk.js';

/** What a local is known to hold at a point: a constant, or the value of another local (a copy). */
export type Known = Map<number, ConstExpr | LocalExpr>;

/**
 * What specialise knows at a point: `known`, and the local that holds the value of an
 * expression computed before (by its printed form), so the same
 * expression again, or the same thread check (a load: the loop writes no global memory, its
 * state words are locals), becomes a copy of that local.
 */
export interface Facts {
  known: Known;
  values: Map<string, number>;
  /** Per local, what to forget when it changes: the locals known to copy it, the values that read it or that it holds. */
  users: Map<number, Set<number | string>>;
}

export const copyFacts = (f: Facts): Facts => ({ known: new Map(f.known), values: new Map(f.values), users: new Map([...f.users].map(([k, v]) => [k, new Set(v)])) });

const use = (f: Facts, l: number, u: number | string): void => { (f.users.get(l) ?? f.users.set(l, new Set()).get(l)!).add(u); };

/**
 * `stmts` as fresh statements, `rename`'s locals renamed, the locals known to hold a constant
 * or another local's value replaced by it, what that makes constant folded, `if`s on a constant
 * condition reduced to their live arm, and repeated expressions replaced by the local that
 * holds them. An assignment of what its local already holds is dropped. Any other assignment,
 * or one in a loop or an arm of an `if`, forgets what it changes; after an `if`, what both arms
 * agree on stays known.
 */
export function specialise(stmts: readonly Stmt[], f: Facts, locals: KernelIR['locals'], rename: ReadonlyMap<number, number>): Stmt[] {
  const { known, values, users } = f;
  const x = (e: Expr): Expr => fold(substitute(e, known, rename));
  const id = (l: number): number => rename.get(l) ?? l;
  const forget = (l: number): void => {
    known.delete(l);
    for (const u of users.get(l) ?? []) if (typeof u === 'number') known.delete(u); else values.delete(u);
    users.delete(l);
  };
  const forgetAssigned = (list: readonly Stmt[]): void => forEachStmt(list as Stmt[], (t) => {
    if (t.kind === 'assign') forget(id(t.local));
    if (t.kind === 'warp') { if (t.local !== undefined) forget(id(t.local)); if (t.pred !== undefined) forget(id(t.pred)); }
  });
  const out: Stmt[] = [];
  for (const s of stmts) {
    switch (s.kind) {
      case 'assign': {
        const local = id(s.local);
        let value = x(s.value);
        const type = locals[local].type;
        if (value.type === type && sameKnown(known.get(local), value)) break; // it holds that already
        forget(local);
        if (value.kind !== 'const' && value.kind !== 'local' && value.type === type && !hasAtomic(value)) {
          const key = exprKey(value), held = values.get(key);
          if (held !== undefined) value = { kind: 'local', id: held, type };
          else {
            values.set(key, local);
            use(f, local, key);
            forEachExpr(value, (y) => { if (y.kind === 'local') use(f, y.id, key); });
          }
        }
        if ((value.kind === 'const' || (value.kind === 'local' && value.id !== local)) && value.type === type) {
          known.set(local, value);
          if (value.kind === 'local') use(f, value.id, local);
        }
        out.push({ ...s, local, value });
        break;
      }
      case 'store': out.push({ ...s, index: x(s.index), value: x(s.value) }); break;
      case 'expr': out.push({ ...s, expr: x(s.expr) }); break;
      case 'if': {
        const cond = x(s.cond);
        if (cond.kind === 'const') { out.push(...specialise(cond.value ? s.then : s.else, f, locals, rename)); break; }
        const inThen = copyFacts(f), inElse = copyFacts(f);
        out.push({ ...s, cond, then: specialise(s.then, inThen, locals, rename), else: specialise(s.else, inElse, locals, rename) });
        forgetAssigned(s.then);
        forgetAssigned(s.else);
        for (const [l, v] of inThen.known) if (!known.has(l) && sameKnown(inElse.known.get(l), v)) known.set(l, v);
        break;
      }
      case 'loop': {
        forgetAssigned([s]);
        out.push({ ...s, cond: s.cond && x(s.cond), body: specialise(s.body, copyFacts(f), locals, rename), update: specialise(s.update, copyFacts(f), locals, rename) });
        break;
      }
      case 'warp':
        forgetAssigned([s]);
        out.push({
          ...s, mask: s.mask && x(s.mask), value: s.value && x(s.value), lane: s.lane && x(s.lane),
          ...(s.local !== undefined ? { local: id(s.local) } : {}), ...(s.pred !== undefined ? { pred: id(s.pred) } : {}),
        });
        break;
      default: out.push({ ...s });
    }
  }
  return out;
}

const sameKnown = (a: ConstExpr | LocalExpr | undefined, b: Expr): boolean =>
  !!a && a.kind === b.kind && (a.kind === 'const' ? a.value === (b as ConstExpr).value : a.id === (b as LocalExpr).id);

/** A fresh copy of `e`, its locals renamed, then the known ones replaced by what they hold. */
function substitute(e: Expr, known: ReadonlyMap<number, ConstExpr | LocalExpr>, rename: ReadonlyMap<number, number>): Expr {
  return mapLocals(e, (l) => {
    const id = rename.get(l.id) ?? l.id, k = known.get(id);
    return k ? { ...k } : { ...l, id };
  });
}

/** An expression's printed form (what makes two equal: operators, types, constants, locals, arrays). */
function exprKey(e: Expr): string {
  switch (e.kind) {
    case 'const': return `${e.type}:${String(e.value)}`;
    case 'local': return `%${e.id}`;
    case 'param': return `P${e.index}`;
    case 'special': return `${e.reg}.${e.dim}`;
    case 'length': return `len(${JSON.stringify(e.array)})`;
    case 'load': return `${JSON.stringify(e.array)}[${exprKey(e.index)}]${e.type}`;
    case 'binary': return `${e.op}.${e.opType}.${e.type}(${exprKey(e.a)},${exprKey(e.b)})`;
    case 'unary': return `${e.op}.${e.type}(${exprKey(e.x)})`;
    case 'math': return `${e.fn}.${e.type}${e.ulp ? 'u' : ''}(${e.args.map(exprKey).join(',')})`;
    default: return `${e.kind}.${e.type}(${childExprs(e).map(exprKey).join(',')})`;
  }
}

const hasAtomic = (e: Expr): boolean => {
  let hit = false;
  forEachExpr(e, (y) => { if (y.kind === 'atomic') hit = true; });
  return hit;
};

/**
 * `stmts` without the assignments to `own` locals that nothing reads any more (copies that
 * specialise replaced, flags of inlined calls), repeated until none is left; an assignment whose
 * value loads (a draw's thread check: it fails where it did) stays.
 */
export function dropUnread(stmts: Stmt[], own: ReadonlySet<number>): Stmt[] {
  for (;;) {
    const read = new Set<number>();
    forEachStmt(stmts, (t) => { for (const e of stmtExprs(t)) forEachExpr(e, (y) => { if (y.kind === 'local') read.add(y.id); }); });
    let dropped = false;
    const keep = (list: Stmt[]): Stmt[] => list.filter((t) => {
      if (t.kind === 'assign' && own.has(t.local) && !read.has(t.local) && !loads(t.value)) { dropped = true; return false; }
      if (t.kind === 'if') { t.then = keep(t.then); t.else = keep(t.else); }
      if (t.kind === 'loop') { t.body = keep(t.body); t.update = keep(t.update); }
      return true;
    });
    stmts = keep(stmts);
    if (!dropped) return stmts;
  }
}

const loads = (e: Expr): boolean => {
  let hit = false;
  forEachExpr(e, (y) => { if (y.kind === 'load' || y.kind === 'atomic') hit = true; });
  return hit;
};

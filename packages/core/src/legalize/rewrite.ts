// A small generic IR→IR rewriter: each expression is rewritten bottom-up by a
// rule, which may use an operand several times through `share`. What a rule
// builds is constant-folded (it only ever holds fresh nodes), so a constant
// operand leaves no guard behind.

import type { Expr, KernelIR, Stmt } from '../ir/nodes.js';
import type { ScalarType } from '../types.js';
import { fold } from '../ir/fold.js';

export interface RewriteContext {
  /**
   * `e` in a form the rule may use more than once. A leaf (constant, local,
   * parameter, special register, length) is itself. Anything else is computed
   * once into a fresh local assigned just before the statement, except where a
   * statement cannot go (the lazy operands of `&&`, `||`, `?:`, and loop
   * conditions): there it is repeated, which is sound because operands with
   * effects never reach a rule (the frontend makes atomics statements of their own).
   */
  share(e: Expr): Expr;
  /**
   * `e` computed once into a fresh local (a leaf stays itself), also in a lazy
   * context: there the statement goes into the lazy arm, which then becomes an
   * `if` (a `?:` arm, the right of `&&`/`||`) or the head of the loop body (a loop
   * condition), so the arm is still evaluated only when JS would. For rules that
   * build long computations (the f32 erf/gamma library), where repeating
   * operands would grow the expression exponentially.
   */
  bind(e: Expr): Expr;
}

/** Returns the replacement of `e` (whose operands are already rewritten), or undefined to keep it. */
export type Rule = (e: Expr, cx: RewriteContext) => Expr | undefined;

const LEAVES = new Set<Expr['kind']>(['const', 'local', 'param', 'special', 'length']);

export function rewriteKernel(ir: KernelIR, rule: Rule): void {
  const newLocal = (type: ScalarType): number => {
    const id = ir.locals.length;
    ir.locals.push({ id, name: 'lg', type });
    return id;
  };

  const assign = (id: number, value: Expr): Stmt => ({ kind: 'assign', local: id, value, loc: value.loc });
  const local = (id: number, like: Expr): Expr => ({ kind: 'local', id, type: like.type, loc: like.loc });

  /** `pre` receives the statements that must run before `e` where `e` is evaluated (a lazy arm's own list in a lazy arm). */
  const expr = (e: Expr, lazy: boolean, pre: Stmt[]): Expr => {
    const x = (c: Expr): Expr => expr(c, lazy, pre);
    let r: Expr;
    switch (e.kind) {
      case 'unary': case 'convert': r = { ...e, x: x(e.x) }; break;
      case 'binary': r = { ...e, a: x(e.a), b: x(e.b) }; break;
      case 'logical': {
        const a = x(e.a), arm: Stmt[] = [], b = expr(e.b, true, arm);
        if (!arm.length) { r = { ...e, a, b }; break; }
        // The right operand needs statements: t = a; if (t) { …; t = b } (|| tests !t).
        const t = newLocal('bool');
        const test = local(t, e);
        pre.push(assign(t, a), { kind: 'if', cond: e.op === 'and' ? test : { kind: 'unary', op: 'not', type: 'bool', x: test }, then: [...arm, assign(t, b)], else: [], loc: e.loc });
        r = test;
        break;
      }
      case 'cond': {
        const c = x(e.c), armA: Stmt[] = [], armB: Stmt[] = [];
        const a = expr(e.a, true, armA), b = expr(e.b, true, armB);
        if (!armA.length && !armB.length) { r = { ...e, c, a, b }; break; }
        // An arm needs statements: if (c) { …; t = a } else { …; t = b }.
        const t = newLocal(e.type);
        pre.push({ kind: 'if', cond: c, then: [...armA, assign(t, a)], else: [...armB, assign(t, b)], loc: e.loc });
        r = local(t, e);
        break;
      }
      case 'select': r = { ...e, c: x(e.c), a: x(e.a), b: x(e.b) }; break;
      case 'load': r = { ...e, index: x(e.index) }; break;
      case 'math': r = { ...e, args: e.args.map((a) => x(a)) }; break;
      case 'atomic': {
        const index = x(e.index), expected = e.expected && x(e.expected), value = x(e.value);
        r = { ...e, index, value, ...(expected ? { expected } : {}) };
        break;
      }
      default: r = { ...e };
    }
    const cx: RewriteContext = {
      share: (built) => {
        const v = fold(built); // a constant divisor leaves no guard behind
        if (LEAVES.has(v.kind) || lazy) return v;
        const id = newLocal(v.type);
        pre.push(assign(id, v));
        return local(id, v);
      },
      bind: (built) => {
        const v = fold(built);
        if (LEAVES.has(v.kind)) return v;
        const id = newLocal(v.type);
        pre.push(assign(id, v));
        return local(id, v);
      },
    };
    const out = rule(r, cx);
    return out ? fold(out) : r;
  };

  const stmts = (list: Stmt[]): Stmt[] => {
    const out: Stmt[] = [];
    for (const s of list) {
      const pre: Stmt[] = [];
      const now = (e: Expr): Expr => expr(e, false, pre);
      let r: Stmt;
      switch (s.kind) {
        case 'assign': r = { ...s, value: now(s.value) }; break;
        case 'store': { const index = now(s.index); r = { ...s, index, value: now(s.value) }; break; }
        case 'expr': r = { ...s, expr: now(s.expr) }; break;
        case 'if': r = { ...s, cond: now(s.cond), then: stmts(s.then), else: stmts(s.else) }; break;
        // The condition runs before every iteration: nothing can be hoisted out of it.
        // What it binds runs at the head of the body instead, before `if (!cond) break`.
        case 'loop': {
          const head: Stmt[] = [];
          const cond = s.cond && expr(s.cond, true, head);
          const body = stmts(s.body), update = stmts(s.update);
          r = !cond ? { ...s, body, update }
            : !head.length ? { ...s, cond, body, update }
            : { kind: 'loop', loc: s.loc, body: [...head, { kind: 'if', cond: { kind: 'unary', op: 'not', type: 'bool', x: cond }, then: [{ kind: 'break' }], else: [] }, ...body], update };
          break;
        }
        default: r = s;
      }
      out.push(...pre, r);
    }
    return out;
  };

  ir.body = stmts(ir.body);
}

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

  const expr = (e: Expr, lazy: boolean, pre: Stmt[]): Expr => {
    const x = (c: Expr, childLazy = lazy): Expr => expr(c, childLazy, pre);
    let r: Expr;
    switch (e.kind) {
      case 'unary': case 'convert': r = { ...e, x: x(e.x) }; break;
      case 'binary': r = { ...e, a: x(e.a), b: x(e.b) }; break;
      case 'logical': r = { ...e, a: x(e.a), b: x(e.b, true) }; break;
      case 'cond': r = { ...e, c: x(e.c), a: x(e.a, true), b: x(e.b, true) }; break;
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
        pre.push({ kind: 'assign', local: id, value: v, loc: v.loc });
        return { kind: 'local', id, type: v.type, loc: v.loc };
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
        case 'loop': r = { ...s, ...(s.cond ? { cond: expr(s.cond, true, pre) } : {}), body: stmts(s.body), update: stmts(s.update) }; break;
        default: r = s;
      }
      out.push(...pre, r);
    }
    return out;
  };

  ir.body = stmts(ir.body);
}

// A small generic IR→IR rewriter: each expression is rewritten bottom-up by a
// rule, which may use an operand several times through `share`. What a rule
// builds is constant-folded (it only ever holds fresh nodes), so a constant
// operand leaves no guard behind. The result is always a tree (never one node
// reached twice), so its size stays linear in the input's.

import type { ArrayRef, Expr, KernelIR, Stmt } from '../ir/nodes.js';
import type { ElemType, ScalarType } from '../types.js';
import { fold } from '../ir/fold.js';

export interface RewriteContext {
  /**
   * `e` in a form the rule may use more than once. A leaf (constant, local,
   * parameter, special register, length) is itself. Anything else is computed
   * once into a fresh local assigned just before the statement. In a lazy
   * operand (of `&&`, `||`, `?:`, or a loop condition) that statement goes
   * where the operand runs: the lazy construct is then lifted out of its
   * expression into an `if` (or the loop's condition into its body).
   */
  share(e: Expr): Expr;
  /** A fresh local of type `t`, for statements the rule adds with `before`. */
  fresh(t: ScalarType): Expr & { kind: 'local' };
  /** Runs `s` just before the rewritten expression is evaluated (where `share`'s statements go). */
  before(s: Stmt): void;
  /**
   * A const array of `values` added to the kernel (a table the rule's code loads from); the
   * same name, element type and values give the same array, so a kernel holds one copy.
   */
  constArray(name: string, elem: ElemType, values: readonly number[]): ArrayRef;
  /** A fresh per-thread array of `size` elements (zeros), for statements the rule adds. */
  localArray(name: string, elem: ElemType, size: number): ArrayRef;
}

/** Returns the replacement of `e` (whose operands are already rewritten), or undefined to keep it. */
export type Rule = ((e: Expr, cx: RewriteContext) => Expr | undefined) & {
  /** The value a store writes into an array of `elem` (already rewritten), or undefined to keep it. */
  storeValue?: (value: Expr, elem: ElemType, cx: RewriteContext) => Expr | undefined;
};

const LEAVES = new Set<Expr['kind']>(['const', 'local', 'param', 'special', 'length']);

export function rewriteKernel(ir: KernelIR, rule: Rule): void {
  const newLocal = (type: ScalarType): number => {
    const id = ir.locals.length;
    ir.locals.push({ id, name: 'lg', type });
    return id;
  };
  const local = (id: number, e: Expr): Expr => ({ kind: 'local', id, type: e.type, loc: e.loc });
  const not = (c: Expr): Expr => fold({ kind: 'unary', op: 'not', type: 'bool', x: c, loc: c.loc });

  /**
   * `e` rewritten; what it needs computed first is appended to `pre`, which
   * runs just before `e` is evaluated, and only when it is (so eagerly
   * evaluated operands share `pre`, and each lazy operand gets its own).
   */
  /** The rule's context for a node rewritten with `pre` as its statement list. */
  const context = (pre: Stmt[], loc: Expr['loc']): RewriteContext => ({
    share: (built) => {
      const v = fold(built); // a constant divisor leaves no guard behind
      if (LEAVES.has(v.kind)) return v;
      const id = newLocal(v.type);
      pre.push({ kind: 'assign', local: id, value: v, loc: v.loc });
      return local(id, v);
    },
    fresh: (t) => ({ kind: 'local', id: newLocal(t), type: t, loc }),
    before: (s) => { pre.push(s); },
    constArray: (name, elem, values) => {
      const same = ir.arrays.find((a) => a.space === 'const' && a.name === name && a.elem === elem && a.values !== undefined
        && a.values.length === values.length && a.values.every((v, i) => Object.is(v, values[i])));
      return { space: 'const', id: same?.id ?? addArray(name, 'const', elem, values.length, [...values]) };
    },
    localArray: (name, elem, size) => ({ space: 'local', id: addArray(name, 'local', elem, size) }),
  });
  const addArray = (name: string, space: 'const' | 'local', elem: ElemType, size: number, values?: number[]): number => {
    const id = ir.arrays.length;
    ir.arrays.push({ id, name, space, elem, shape: [size], size, ...(values ? { values } : {}), atomic: false });
    return id;
  };
  const elemOf = (r: ArrayRef): ElemType => (r.space === 'global' ? (ir.params[r.param].type as { elem: ElemType }).elem : ir.arrays[r.id].elem);

  const expr = (e: Expr, pre: Stmt[]): Expr => {
    const x = (c: Expr): Expr => expr(c, pre);
    let r: Expr;
    switch (e.kind) {
      case 'unary': case 'convert': case 'bitcast': r = { ...e, x: x(e.x) }; break;
      case 'binary': r = { ...e, a: x(e.a), b: x(e.b) }; break;
      case 'logical': case 'cond': return lazy(e, pre);
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
    const out = rule(r, context(pre, e.loc));
    return out ? fold(out) : r;
  };

  /**
   * `a && b`, `a || b`, `c ? a : b`. Its lazy operands are rewritten each with
   * a statement list of its own; when one needs statements, the construct
   * becomes a fresh local assigned by an `if` appended to `pre` (after what the
   * statement's earlier operands need), so every operand still runs exactly
   * when JS runs it. Otherwise the expression is kept as it is.
   */
  const lazy = (e: Expr & { kind: 'logical' | 'cond' }, pre: Stmt[]): Expr => {
    const first = expr(e.kind === 'cond' ? e.c : e.a, pre);
    const preA: Stmt[] = [], preB: Stmt[] = [];
    const a = e.kind === 'cond' ? expr(e.a, preA) : undefined;
    const b = expr(e.b, preB);
    if (preA.length === 0 && preB.length === 0) {
      return e.kind === 'cond' ? { ...e, c: first, a: a!, b } : { ...e, a: first, b };
    }
    const id = newLocal(e.type);
    const set = (v: Expr): Stmt => ({ kind: 'assign', local: id, value: v, loc: v.loc });
    if (e.kind === 'cond') {
      pre.push({ kind: 'if', cond: first, then: [...preA, set(a!)], else: [...preB, set(b)], loc: e.loc });
    } else {
      // t = a; the second operand runs only when it decides: t true for &&, false for ||.
      pre.push(set(first));
      const t = local(id, e);
      pre.push({ kind: 'if', cond: e.op === 'and' ? t : not(t), then: [...preB, set(b)], else: [], loc: e.loc });
    }
    return local(id, e);
  };

  const stmts = (list: Stmt[]): Stmt[] => {
    const out: Stmt[] = [];
    for (const s of list) {
      const pre: Stmt[] = [];
      const now = (e: Expr): Expr => expr(e, pre);
      let r: Stmt;
      switch (s.kind) {
        case 'assign': r = { ...s, value: now(s.value) }; break;
        case 'store': {
          const index = now(s.index), value = now(s.value);
          const v = rule.storeValue?.(value, elemOf(s.array), context(pre, value.loc));
          r = { ...s, index, value: v ? fold(v) : value };
          break;
        }
        case 'expr': {
          const x = now(s.expr);
          // A rule that moved the whole effect into statements (an atomic's loop) leaves a leaf: nothing to evaluate.
          if (LEAVES.has(x.kind)) { out.push(...pre); continue; }
          r = { ...s, expr: x };
          break;
        }
        case 'if': r = { ...s, cond: now(s.cond), then: stmts(s.then), else: stmts(s.else) }; break;
        case 'loop': r = loop(s); break;
        case 'warp': {
          // The operands in JS's order (mask, value, lane); what they need runs before the collective.
          const mask = s.mask && now(s.mask), value = s.value && now(s.value), lane = s.lane && now(s.lane);
          r = { ...s, ...(mask ? { mask } : {}), ...(value ? { value } : {}), ...(lane ? { lane } : {}) };
          break;
        }
        default: r = s;
      }
      out.push(...pre, r);
    }
    return out;
  };

  /**
   * The condition runs before every iteration: when it needs statements, it
   * moves into the body as `if (!cond) break` after them (`continue` still
   * runs the update, then the condition, as before).
   */
  const loop = (s: Stmt & { kind: 'loop' }): Stmt => {
    const pre: Stmt[] = [];
    const cond = s.cond && expr(s.cond, pre);
    const body = stmts(s.body), update = stmts(s.update);
    if (!cond) return { ...s, body, update };
    if (pre.length === 0) return { ...s, cond, body, update };
    const exit: Stmt = { kind: 'if', cond: not(cond), then: [{ kind: 'break', loc: s.loc }], else: [], loc: s.loc };
    const { cond: _moved, ...rest } = s;
    return { ...rest, body: [...pre, exit, ...body], update };
  };

  ir.body = stmts(ir.body);
}

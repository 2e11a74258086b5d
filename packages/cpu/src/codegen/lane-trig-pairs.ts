// f32 sin and cos of one argument (Box-Muller's r cos θ, r sin θ): their lane
// groups call the paired vector kernels (lane-math-ir.ts sinCosF32PairedBody),
// whose reduction and polynomials LLVM keeps once for both. Decided on the IR
// before any code is built: the first of the two calls cannot know the second.
// Arguments are compared as written (the same local, the same expression); a
// false pair (the local reassigned in between) only costs the lone kernel's
// speed, never a result: each kernel computes its own function of its own argument.

import type { Expr, KernelIR, MathExpr } from '@numbat/core';
import { forEachExpr, forEachStmt, stmtExprs } from '@numbat/core';

/** Longest argument text compared (an argument is a local or a short expression in practice). */
const MAX_KEY = 400;

/** pairedTrig of the kernel being compiled, made once per compile (lane groups and thread-by-thread code ask). */
export function kernelPairedTrig(an: { readonly ir: KernelIR; memo<T>(kind: string, key: object, make: () => T): T }): ReadonlySet<Expr> {
  return an.memo('pairedTrig', an.ir, () => pairedTrig(an.ir));
}

/** The f32 sin/cos calls of `ir` whose argument, as written, the kernel also takes the other function of. */
export function pairedTrig(ir: KernelIR): ReadonlySet<Expr> {
  const calls: MathExpr[] = [];
  forEachStmt(ir.body, (s) => {
    for (const x of stmtExprs(s)) forEachExpr(x, (y) => { if (y.kind === 'math' && y.type === 'f32' && (y.fn === 'sin' || y.fn === 'cos')) calls.push(y); });
  });
  const paired = new Set<Expr>();
  if (calls.length < 2) return paired;
  const keys = calls.map((c) => {
    const k = JSON.stringify(c.args[0], (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    return k.length <= MAX_KEY ? k : undefined;
  });
  const fnsOf = new Map<string, Set<string>>();
  calls.forEach((c, i) => { const k = keys[i]; if (k !== undefined) (fnsOf.get(k) ?? fnsOf.set(k, new Set()).get(k)!).add(c.fn); });
  calls.forEach((c, i) => { const k = keys[i]; if (k !== undefined && fnsOf.get(k)!.size === 2) paired.add(c); });
  return paired;
}

// Which f32 sin/cos calls are paired (codegen/lane-trig-pairs.ts): a sin and a
// cos of the same argument as written, f32 only; a lone call or different
// arguments keep the one-polynomial kernels.
import { describe, expect, it } from 'vitest';
import { cuda, forEachExpr, forEachStmt, stmtExprs, type Expr, type KernelIR } from '@numbat/core';
import { pairedTrig } from '../dist/codegen/lane-trig-pairs.js';

/** The IR the cpu backend gets for `kernel` on `args`. */
async function irOf(kernel: (...a: never[]) => void, ...args: unknown[]): Promise<KernelIR> {
  const k = cuda.jit(kernel, { target: 'cpu' });
  await k.inspect('ir-legal', ...args);
  return (await (k as any).specs.values().next().value).legal as KernelIR;
}

/** The sin and cos calls of `ir` as `fn:paired` (f64 ones are core's library: none left). */
function marks(ir: KernelIR): string[] {
  const paired = pairedTrig(ir), out: string[] = [];
  forEachStmt(ir.body, (s) => { for (const x of stmtExprs(s)) forEachExpr(x, (y: Expr) => { if (y.kind === 'math' && (y.fn === 'sin' || y.fn === 'cos')) out.push(`${y.fn}:${paired.has(y)}`); }); });
  return out.sort();
}

describe('cpu: f32 sin and cos of one argument are paired', () => {
  const x = new Float32Array(4), y = new Float32Array(4);
  it('a sin and a cos of one local', async () => {
    const k = function pair(x: Float32Array, y: Float32Array) { const i = cuda.grid(1); const t = x[i] * 2; y[i] = Math.sin(t) + Math.cos(t); };
    expect(marks(await irOf(k, x, y))).toEqual(['cos:true', 'sin:true']);
  });
  it('not: different arguments, a lone function, or f64', async () => {
    const k1 = function apart(x: Float32Array, y: Float32Array) { const i = cuda.grid(1); y[i] = Math.sin(x[i]) + Math.cos(x[i] * 2); };
    expect(marks(await irOf(k1, x, y))).toEqual(['cos:false', 'sin:false']);
    const k2 = function lone(x: Float32Array, y: Float32Array) { const i = cuda.grid(1); y[i] = Math.sin(x[i]) + Math.sin(x[i] + 1); };
    expect(marks(await irOf(k2, x, y))).toEqual(['sin:false', 'sin:false']);
    const k3 = function wide(x: Float64Array, y: Float64Array) { const i = cuda.grid(1); y[i] = Math.sin(x[i]) + Math.cos(x[i]); };
    expect(marks(await irOf(k3, new Float64Array(4), new Float64Array(4))).filter((m) => m.endsWith(':true'))).toEqual([]);
  });
});

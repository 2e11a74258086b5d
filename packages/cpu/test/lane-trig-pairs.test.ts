// Which f32 sin/cos calls are paired (codegen/lane-trig-pairs.ts): a sin and a
// cos of the same argument as written, f32 only; a lone call or different
// arguments keep the one-polynomial kernels.
import { describe, expect, it } from 'vitest';
import { cuda, forEachExpr, forEachStmt, stmtExprs, type Expr, type KernelIR } from '@numbat/core';
import { pairedTrig } from '../dist/codegen/lane-trig-pairs.js';
import { withLanes } from './helpers.js';

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

describe('cpu thread-by-thread code: a paired sin and cos are one libm sincosf', () => {
  // NUMBAT_CPU_LANES=1: every region thread by thread (no lane groups, whose vector kernels have sin and cos of their own).
  const pair = function tpair(x: Float32Array, s: Float32Array, c: Float32Array) { const i = cuda.grid(1); cuda.syncthreads(); const t = x[i] * 2; s[i] = Math.sin(t); c[i] = Math.cos(t); };
  const loneSin = function tsin(x: Float32Array, s: Float32Array) { const i = cuda.grid(1); cuda.syncthreads(); const t = x[i] * 2; s[i] = Math.sin(t); };
  const loneCos = function tcos(x: Float32Array, c: Float32Array) { const i = cuda.grid(1); cuda.syncthreads(); const t = x[i] * 2; c[i] = Math.cos(t); };

  it('calls sincosf once (a lone sin still calls sinf), with the bits of sinf and cosf', async () => {
    const n = 4096, x = new Float32Array(n);
    // small, near multiples of pi/4, large (libm's far reduction), negative, and the specials
    for (let k = 0; k < n; k++) x[k] = k < 1024 ? (k - 512) / 64 : k < 2048 ? ((k - 1024) * Math.PI) / 8 + 1e-6 * (k % 7) : k < 3072 ? (k % 2 ? -1 : 1) * 10 ** ((k - 2048) / 40) : Math.sin(k) * 1e6;
    x.set([0, -0, Infinity, -Infinity, NaN, 3.4e38, 1e-40], 0);
    const args = (...outs: Float32Array[]) => [x, ...outs] as const;
    const s = new Float32Array(n), c = new Float32Array(n), s1 = new Float32Array(n), c1 = new Float32Array(n);
    const kp = cuda.jit(pair, { target: 'cpu', cache: false }), ks = cuda.jit(loneSin, { target: 'cpu', cache: false }), kc = cuda.jit(loneCos, { target: 'cpu', cache: false });
    await withLanes('1', async () => {
      expect((await kp.inspect('llvm', ...args(s, c))).match(/call \{ float, float \} @numbat_sincosf\(/g)).toHaveLength(2);
      const opt = await kp.inspect('opt', ...args(s, c));
      expect(opt.match(/call void @sincosf\(/g)).toHaveLength(1);
      expect(opt).not.toMatch(/@sinf\(|@cosf\(|vmath/);
      const lone = await ks.inspect('opt', ...args(s1));
      expect(lone).toMatch(/call float @sinf\(/);
      expect(lone).not.toMatch(/sincosf/);
      await kp.configure(n / 256, 256)(...args(s, c));
      await ks.configure(n / 256, 256)(...args(s1));
      await kc.configure(n / 256, 256)(...args(c1));
    });
    const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer));
    expect(bits(s)).toEqual(bits(s1));
    expect(bits(c)).toEqual(bits(c1));
    expect(Object.is(s[1], -0)).toBe(true); // sin(-0) = -0 through the pair
  });
});

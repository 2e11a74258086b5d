// The WGSL variant for drivers with a loop limit (no GPU needed): innermost
// loops are unrolled LOOP_UNROLL times, loops with continue or barriers are
// not, and every loop checks after itself that it was left on purpose.

import { describe, expect, it } from 'vitest';
import { cuda, type KernelIR } from '@numbat/core';
import { generateWgsl, LOOP_UNROLL } from '@numbat/webgpu';

async function irOf(fn: (...a: any[]) => void, ...args: unknown[]): Promise<KernelIR> {
  const k = cuda.jit(fn, { target: 'webgpu', boundscheck: false });
  await k.inspect('wgsl', ...args);
  return (await [...(k as any).specs.values()][0]).ir;
}

const count = (code: string, re: RegExp): number => (code.match(re) ?? []).length;

describe('WGSL under a driver loop limit', () => {
  it('unrolls an innermost loop and checks every loop after it', async () => {
    const ir = await irOf(function loops(o: Int32Array, n: number) {
      let s = 0;
      for (let j = 0; j < n; j++) s += j;            // unrolled
      for (let j = 0; j < n; j++) { if (j === 3) continue; s -= 1; } // continue: one iteration per pass
      o[0] = s;
    }, new Int32Array(1), 5);
    const plain = generateWgsl(ir, { float: 'f32', boundscheck: false }).code;
    const limited = generateWgsl(ir, { float: 'f32', boundscheck: false, loopIterationLimit: 65535 }).code;
    expect(count(plain, /nb_report\(3u/g)).toBe(0);
    expect(count(limited, /nb_report\(3u/g)).toBe(2);
    // The first loop's condition appears once per unrolled copy, the second's once.
    expect(count(limited, /if \(!\(\(j_\d+ < nb_a\.n_p1\)\)\) \{ nb_done\d+ = true; break; \}/g)).toBe(LOOP_UNROLL + 1);
    expect(count(plain, /if \(!\(\(j_\d+ < nb_a\.n_p1\)\)\) \{ break; \}/g)).toBe(2);
  });
});

// cpu code generation regressions found by differential fuzzing (issue 11)
// and adversarial compile-time probes (issue 12), each against the simulator.
import { describe, expect, it } from 'vitest';
import { cuda, LaunchError } from '@numbat/core';

async function outcome(fn: (...a: any[]) => void, target: 'cpu' | 'sim', grid: number, block: number, args: unknown[]): Promise<string> {
  try {
    await cuda.jit(fn, { target }).configure(grid, block)(...args);
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(LaunchError);
    return (e as Error).message;
  }
}

describe('cpu codegen regressions', () => {
  it('a bounds error in a loop after a thread-dependent loop names the thread the simulator names', async () => {
    // The second loop's check used to take the thread index of the first loop's
    // per-thread finish ("Instruction does not dominate all uses").
    const k = function k(a: Int32Array, out: Int32Array) {
      const i = cuda.grid(1);
      let s = 0;
      for (let q = 0; q < i % 5; q++) s += q;
      for (let j = 0; j < a[2]; j++) s += j;
      out[i] = s;
    };
    const got = await outcome(k, 'cpu', 2, 32, [new Int32Array(1), new Int32Array(64)]);
    const want = await outcome(k, 'sim', 2, 32, [new Int32Array(1), new Int32Array(64)]);
    expect(got).toMatch(/index 2 out of bounds for array 'a'/);
    expect(got).toBe(want);
  });
});

// A lane-varying `if` whose arm is a few register-only assignments (`if (inside) count++`)
// runs as blends for every lane, with no test of whether any lane takes it
// (codegen/lane-shape.ts blendsOnly); arms that read memory or call math keep the test.
// Results against the simulator, and the lane code's `lanes.any` blocks (the test).
import { describe, expect, it } from 'vitest';
import { cuda } from '@numbat/core';

const anyTests = (llvm: string): number => (llvm.match(/^lanes\.any[\d.]*:/gm) ?? []).length;

async function check(fn: (...a: any[]) => void, make: () => unknown[], out: number): Promise<string> {
  const got = make(), want = make();
  const cpu = cuda.jit(fn, { target: 'cpu' });
  await cpu.configure(4, 64)(...got);
  await cuda.jit(fn, { target: 'sim' }).configure(4, 64)(...want);
  expect(Array.from(got[out] as ArrayLike<number>)).toEqual(Array.from(want[out] as ArrayLike<number>));
  return cpu.inspect('llvm', ...make());
}

const inputs = (): [Float64Array, Int32Array, number] => [Float64Array.from({ length: 256 }, (_, i) => Math.sin(i * 0.37) * 1.5), new Int32Array(256), 40];

describe('cpu lane groups: register-only arms of a varying if run as blends', () => {
  it('if (inside) count++ and an else arm: no any-lane test, the simulator\'s counts', async () => {
    const llvm = await check(function counts(x: Float64Array, out: Int32Array, n: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      let count = 0, other = 0;
      for (let k = 0; k < n; k++) {
        const v = x[(i + k) % x.length];
        if (v * v <= 0.5) count++;
        else other += k;
      }
      out[i] = count * 1000 + other;
    }, inputs, 1);
    // the same kernel written with selects: the if adds no any-lane test to it
    const selects = await check(function countsBySelect(x: Float64Array, out: Int32Array, n: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      let count = 0, other = 0;
      for (let k = 0; k < n; k++) {
        const v = x[(i + k) % x.length];
        count += v * v <= 0.5 ? 1 : 0;
        other += v * v <= 0.5 ? 0 : k;
      }
      out[i] = count * 1000 + other;
    }, inputs, 1);
    expect(anyTests(llvm)).toBe(anyTests(selects));
  });

  it('an arm that reads memory keeps the test', async () => {
    const llvm = await check(function sums(x: Float64Array, out: Int32Array, n: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      let s = 0;
      for (let k = 0; k < n; k++) {
        const j = (i + k) % x.length;
        if (x[j] > 0) s += x[(j * 7) % x.length];
      }
      out[i] = s * 100;
    }, inputs, 1);
    expect(anyTests(llvm)).toBeGreaterThan(0);
  });
});

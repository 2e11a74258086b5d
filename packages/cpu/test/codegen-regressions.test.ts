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

  describe('deeply nested thread-dependent control falls back from lane groups (bounded compile time)', () => {
    // A chain of n thread-dependent tests, as an else-if chain or a ?: chain.
    const chain = (n: number, form: 'if' | 'cond'): ((...a: any[]) => void) => {
      let body = 'const i = cuda.grid(1); if (i >= out.length) return; const v = a[i];\n';
      if (form === 'if') {
        body += 'let r = 0;\n';
        for (let k = 0; k < n; k++) body += `${k ? 'else ' : ''}if (v < ${k}) r = ${k * 3 + 1};\n`;
        body += 'out[i] = r;';
      } else {
        body += 'out[i] = ';
        for (let k = 0; k < n; k++) body += `v < ${k} ? ${k * 3 + 1} : `;
        body += '0;';
      }
      return new Function('a', 'out', body) as (...a: any[]) => void;
    };
    const args = (n: number) => [new Float32Array(100).map((_, i) => (i * 7) % (n + 3)), new Float32Array(100)];
    /** Labels of the lane-group code in the generated LLVM IR (lanes.ts). */
    const laneGroups = async (fn: (...a: any[]) => void, n: number) =>
      ((await cuda.jit(fn, { target: 'cpu' }).inspect('llvm', ...args(n))).match(/^group\.end\d*:/gm) ?? []).length;

    it('a short chain runs in lane groups', async () => {
      expect(await laneGroups(chain(4, 'if'), 4)).toBeGreaterThan(0);
      expect(await laneGroups(chain(4, 'cond'), 4)).toBeGreaterThan(0);
    });

    for (const form of ['if', 'cond'] as const) {
      it(`a 120-term ${form === 'if' ? 'else-if' : '?:'} chain runs thread by thread, with the simulator's results`, async () => {
        const fn = chain(120, form);
        expect(await laneGroups(fn, 120)).toBe(0);
        const got = args(120), want = args(120);
        await cuda.jit(fn, { target: 'cpu' }).configure(2, 64)(...got);
        await cuda.jit(fn, { target: 'sim' }).configure(2, 64)(...want);
        expect(Array.from(got[1])).toEqual(Array.from(want[1]));
        expect(new Set(got[1]).size).toBeGreaterThan(20);
      });
    }
  });

  describe('regions whose lane copies hold many expression nodes fall back from lane groups (issue 11: a fuzz kernel built 17 000 lines of LLVM IR)', () => {
    // n loads summed under a thread-dependent `if` in a thread-dependent loop: shallow
    // control (the mask budget passes), but each term is copied by the unmasked and masked
    // versions of the loop, and each load at its per-lane index is a gather with its lanes'
    // bounds checks (lane-budget.ts PER_LANE_ACCESS).
    const sum = (n: number): ((...a: any[]) => void) => {
      let terms = '0';
      for (let k = 0; k < n; k++) terms = `(${terms} + Math.imul(a[(i + ${k * 5}) & 63], ${k + 1})) | 0`;
      return new Function('a', 'out', `const i = cuda.grid(1); if (i >= out.length) return;
        let r = 0;
        for (let k = 0; k < (i & 3) + 1; k++) { if (a[i & 63] > k) r = (r + ${terms}) | 0; }
        out[i] = r;`) as (...a: any[]) => void;
    };
    const args = () => [new Int32Array(64).map((_, i) => (i * 37) % 11 - 3), new Int32Array(200)];
    const laneGroups = async (fn: (...a: any[]) => void) =>
      ((await cuda.jit(fn, { target: 'cpu' }).inspect('llvm', ...args())).match(/^group\.end\d*:/gm) ?? []).length;

    it('a few terms run in lane groups', async () => {
      expect(await laneGroups(sum(3))).toBeGreaterThan(0);
    });

    it("30 terms run thread by thread (their gathers count per lane: 1.2-1.5 s to compile as a lane group), with the simulator's results", async () => {
      const fn = sum(30);
      expect(await laneGroups(fn)).toBe(0);
      const got = args(), want = args();
      await cuda.jit(fn, { target: 'cpu' }).configure(4, 50)(...got);
      await cuda.jit(fn, { target: 'sim' }).configure(4, 50)(...want);
      expect(Array.from(got[1])).toEqual(Array.from(want[1]));
      expect(new Set(got[1]).size).toBeGreaterThan(3);
    });
  });
});

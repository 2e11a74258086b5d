// A loop's `if (c) { …; continue; }` turned into an else arm holding the rest of
// the trip (core's continueToElse, applied by the cpu): the rewritten IR against
// the IR it came from, in the simulator, bit for bit, on loops with such
// continues (one after a draw, statements before the continue, two in a row, a
// last statement, an inner loop's, a while and a do-while loop) and with one it
// must leave (nested deeper, under another if).

import { describe, expect, it } from 'vitest';
import { continueToElse, cuda, forEachStmt, type KernelIR } from '@numbat/core';
import { CORPUS } from '@numbat/core/testsuite';
import { legalIR, simulateIR } from './helpers/ir-sim.js';

const continues = (ir: KernelIR): number => {
  let n = 0;
  forEachStmt(ir.body, (s) => { if (s.kind === 'continue') n++; });
  return n;
};

const T = 96;

function shapes(out: Int32Array, n: number) {
  const i = cuda.grid(1);
  if (i >= out.length) return;
  let a = 0, b = 0, c = 0, d = 0;
  for (let k = 0; k < n; k++) {
    if ((i + k) % 3 === 0) { a += k; continue; } // statements before the continue
    b += 1;
    if ((i ^ k) % 5 === 1) continue; // a second one, in the rest
    c += i - k;
    if (k % 2 === 0) {
      if ((i + k) % 7 === 2) continue; // nested deeper: stays
      d += 2;
    }
    for (let j = 0; j < 3; j++) {
      if (j === (i % 3)) continue; // the inner loop's own: rewritten in that loop
      d += j;
    }
    if (d > 40) continue; // the last statement
  }
  let w = 0, x = 0;
  while (w < n) {
    w++;
    if ((i + w) % 4 === 0) continue;
    x += w;
  }
  let y = 0, z = 0;
  do {
    y++;
    if ((i * y) % 3 === 1) continue;
    z += y * 2;
  } while (y < n);
  out[i] = a + 10 * b + 100 * c + 1000 * d + 10000 * x + 100000 * z;
}

describe('continueToElse', () => {
  it('a continue after a draw: the rewritten loop gives the same sums and states', async () => {
    // (the corpus case: `if (u < 0.25) continue; s += u`, threads at mixed positions)
    const c = CORPUS.find((x) => x.name === 'random_blocks_uniforms_continue')!;
    const args = c.args();
    const ir = await legalIR(c.kernel, args);
    const out = continueToElse(ir);
    expect(continues(ir)).toBe(1);
    expect(continues(out)).toBe(0);
    const [want, got] = await Promise.all([simulateIR(ir, args, c.grid, c.block), simulateIR(out, args, c.grid, c.block)]);
    expect(Array.from(got[0] as Uint32Array)).toEqual(Array.from(want[0] as Uint32Array));
    expect(Array.from(got[1] as Float32Array)).toEqual(Array.from(want[1] as Float32Array));
  });

  it('statements before a continue, two in a row, a last one, an inner loop\'s, while and do-while loops; a nested one stays', async () => {
    const args = [new Int32Array(T), 17];
    const ir = await legalIR(shapes, args);
    const out = continueToElse(ir);
    expect(continues(ir)).toBe(7);
    expect(continues(out)).toBe(1); // the nested one (the inner loop's is rewritten in that loop)
    const [want, got] = await Promise.all([simulateIR(ir, args, 2, 64), simulateIR(out, args, 2, 64)]);
    expect(Array.from(got[0] as Int32Array)).toEqual(Array.from(want[0] as Int32Array));
  });
});

// Core's loop trip-count bounds (ir/trip-count.ts): counted loops with constant
// start, bound and step on an integer local nothing else assigns are bounded,
// with passes multiplied through the enclosing loops; anything else is Infinity.

import { describe, expect, it } from 'vitest';
import { cuda, forEachStmt, loopPassBounds, loopTripBound, type LoopStmt, type Stmt } from '@numbat/core';
import { legalIR } from './helpers/ir-sim.js';

/** Each loop's pass bound, in source order. */
async function passes(fn: (...args: any[]) => void, args: unknown[] = [new Int32Array(1), 5]): Promise<number[]> {
  const ir = await legalIR(fn, args);
  const b = loopPassBounds(ir.body);
  const out: number[] = [];
  forEachStmt(ir.body, (s) => { if (s.kind === 'loop') out.push(b.get(s)!.passes); });
  return out;
}

describe('loop pass bounds', () => {
  it('counts for loops, cuda.range and counting while loops (trip count + 1 passes)', async () => {
    expect(await passes(function f(o: Int32Array, _n: number) {
      let s = 0;
      for (let z = 0; z < 8; z++) s += z;           // 8 trips
      for (let z = 7; z >= 0; z -= 2) s += z;       // 7 5 3 1
      for (let z = 0; z <= 10; z += 5) s += z;      // 0 5 10
      for (let z = 3; z !== 12; z += 3) s += z;     // 3 6 9
      for (let z = 9; z < 2; z++) s += z;           // none
      for (const i of cuda.range(0, 10, 3)) s += i; // 0 3 6 9
      let j = 0;
      while (j < 5) { s++; j++; }
      o[0] = s;
    })).toEqual([9, 5, 4, 4, 1, 5, 6]);
  });

  it('bounds of known range: x & C, sums and locals only assigned such; do-while and steps early in the body', async () => {
    expect(await passes(function f(o: Int32Array, n: number) {
      let s = 0;
      for (const q of cuda.range(cuda.threadIdx.x & 7)) s += q;   // at most 7 trips
      for (let z = n & 3; z <= (n & 7) + 2; z++) s += z;          // start ≥ 0, bound ≤ 9: 10 trips
      let m = 4;
      if (n > 2) m = n & 15;
      for (let z = 0; z < m; z++) s += z;                          // m ≤ 15
      let d = 0;
      do { d++; s += d; } while (d < 3);                          // 3 trips
      let w = 10;
      while (w > 0) { w -= 4; if (s > 100) continue; s += w; }     // 10 6 2: 3 trips
      o[0] = s;
    })).toEqual([8, 11, 16, 4, 4]);
  });

  it('multiplies through enclosing loops, and a loop that never runs runs nothing', async () => {
    expect(await passes(function f(o: Int32Array, n: number) {
      let s = 0;
      for (let a = 0; a < 4; a++) {
        for (let b = 0; b < 10; b++) { for (let c = 0; c < 2; c++) s += a * b * c; }
      }
      for (let a = 0; a < 0; a++) { for (let b = 0; b < n; b++) s += b; }
      o[0] = s;
    })).toEqual([5, 4 * 11, 40 * 3, 1, 0]);
  });

  it('run-time bounds, and loops inside them, are unbounded', async () => {
    expect(await passes(function f(o: Int32Array, n: number) {
      let s = 0;
      for (let i = cuda.grid(1); i < o.length; i += cuda.gridsize(1)) {
        for (let z = 0; z < 3; z++) s += z;
      }
      for (let j = 0; j < n; j++) s += j;
      o[0] = s;
    })).toEqual([Infinity, Infinity, Infinity]);
  });

  it('a loop inside an unbounded one keeps its own trip bound', async () => {
    const ir = await legalIR(function f(o: Int32Array) {
      let s = 0;
      for (let i = cuda.grid(1); i < o.length; i += cuda.gridsize(1)) { for (let z = 0; z < 3; z++) s += z; }
      o[0] = s;
    }, [new Int32Array(1)]);
    const loops: LoopStmt[] = [];
    forEachStmt(ir.body, (s) => { if (s.kind === 'loop') loops.push(s); });
    const b = loopPassBounds(ir.body);
    expect(loops.map((l) => b.get(l))).toEqual([{ trips: Infinity, passes: Infinity }, { trips: 3, passes: Infinity }]);
  });

  it('refuses loops whose variable the body changes, conditional steps, continue before the step, unknown starts and floats', async () => {
    expect(await passes(function f(o: Int32Array, n: number) {
      let s = 0;
      for (let z = 0; z < 8; z++) { if (s > 3) z = 0; s++; }
      for (let z = 0; z < 8;) { if (s > 3) z++; s++; }
      let j = 0;
      while (j < 5) { s++; if (s > 2) continue; j++; }
      let k = n;
      for (; k < 8; k++) s++;
      for (let x = 0.5; x < 8; x += 1) s++;
      for (let z = 0; z < 8; z--) s++;              // runs away from the bound
      for (let z = 0; z < 2147483647; z += 2) s++;  // would wrap past the bound
      let m = 0;
      for (let t = 0; t < 3; t++) m = m + 1;         // m's range: itself plus one
      for (let z = 0; z < m; z++) s++;
      for (let z = 0; z < (n | 7); z++) s++;         // n | 7 can be anything from 7 up
      let d = 0;
      do { if (s > 3) continue; d++; } while (d < 3); // continue before the step
      o[0] = s;
    })).toEqual([...Array(7).fill(Infinity), 4, Infinity, Infinity, Infinity]);
  });

  it('a u32 count that would wrap below zero is not bounded', () => {
    const u = (v: number) => ({ kind: 'const' as const, type: 'u32' as const, value: v });
    const i = { kind: 'local' as const, id: 0, type: 'u32' as const };
    const init: Stmt = { kind: 'assign', local: 0, value: u(5) };
    const loop = (bound: number): LoopStmt => ({
      kind: 'loop',
      cond: { kind: 'binary', op: 'ge', opType: 'u32', type: 'bool', a: i, b: u(bound) },
      body: [],
      update: [{ kind: 'assign', local: 0, value: { kind: 'binary', op: 'sub', opType: 'u32', type: 'u32', a: i, b: u(1) } }],
    });
    expect(loopTripBound(loop(1), [init])).toBe(5);         // 5 4 3 2 1, then 0 fails
    expect(loopTripBound(loop(0), [init])).toBeUndefined(); // 0 - 1 wraps to 2^32 - 1 >= 0
    expect(loopTripBound(loop(1), [])).toBeUndefined();     // start unknown
  });
});

// Loops of random draws keep the thread's state words in locals (core's
// keepThreadStatesInLocals, applied by the cpu, cuda and webgpu backends): the
// transform on the IR the backends get. Results and final states on every
// target against the simulator: corpus random-loops.ts (conformance tests).

import { describe, expect, it } from 'vitest';
import { cuda, random, forEachStmt, forEachExpr, stmtExprs, keepThreadStatesInLocals, printIR, type KernelIR, type Stmt } from '@numbat/core';
import { legalIR } from './helpers/ir-sim.js';

/** Global-memory accesses of parameter p in a statement list: [loads, stores]. */
function accesses(stmts: Stmt[], p: number): [number, number] {
  let loads = 0, stores = 0;
  forEachStmt(stmts, (s) => {
    if (s.kind === 'store' && s.array.space === 'global' && s.array.param === p) stores++;
    for (const x of stmtExprs(s)) forEachExpr(x, (y) => { if (y.kind === 'load' && y.array.space === 'global' && y.array.param === p) loads++; });
  });
  return [loads, stores];
}

const loopsOf = (ir: KernelIR): Stmt[] => { const l: Stmt[] = []; forEachStmt(ir.body, (s) => { if (s.kind === 'loop') l.push(s); }); return l; };

function sumUniforms(states: Uint32Array, sums: Float32Array, draws: number) {
  const i = cuda.grid(1);
  if (i >= sums.length) return;
  let s = 0;
  for (let k = 0; k < draws; k++) s += random.uniformF32(states, i);
  sums[i] = s;
}

function sumNormalsReturning(states: Uint32Array, sums: Float32Array, draws: number) {
  const i = cuda.grid(1);
  if (i >= sums.length) return;
  let s = 0;
  for (let k = 0; k < draws; k++) {
    const z = random.normalF32(states, i);
    if (z > 3) return;
    s += z;
  }
  sums[i] = s;
}

function storesPerDraw(states: Uint32Array, out: Uint32Array, draws: number) {
  const i = cuda.grid(1);
  if (i * draws >= out.length) return;
  for (let k = 0; k < draws; k++) out[i * draws + k] = random.uint32(states, i);
}

/** Two different threads' streams in one loop: their words may coincide for no thread pair the IR can see, so no promotion. */
function twoStreams(states: Uint32Array, sums: Float32Array, draws: number) {
  const i = cuda.grid(1);
  if (i + 1 >= sums.length) return;
  let s = 0;
  for (let k = 0; k < draws; k++) s += random.uniformF32(states, i) - random.uniformF32(states, i + 1);
  sums[i] = s;
}

const args = (n: number) => [random.createStates(n, 1), new Float32Array(n), 8];

describe('keepThreadStatesInLocals', () => {
  it('a loop of draws reads the state words before it and writes them after it; inside, only the thread check reads memory', async () => {
    const ir = await legalIR(sumUniforms, args(64));
    const out = keepThreadStatesInLocals(ir);
    expect(out).not.toBe(ir);
    const [before] = loopsOf(ir), [after] = loopsOf(out);
    expect(before.kind === 'loop' && accesses(before.body, 0)[1]).toBeGreaterThan(0);
    const [loads, stores] = accesses((after as any).body, 0);
    expect(stores).toBe(0);
    expect(loads).toBe(1); // the thread check: one checked access per draw, value unused
    const top = accesses(out.body, 0);
    expect(top[1]).toBe(7); // words 2, 3, 5, 6..9 stored back once, after the loop
    expect(top[0]).toBe(1 + 10); // the check, and the ten words read before the loop
    expect(printIR(out)).toMatch(/state\.inLocals/);
  });

  it('a return inside the loop first stores the words back', async () => {
    const out = keepThreadStatesInLocals(await legalIR(sumNormalsReturning, args(64)));
    const [loop] = loopsOf(out);
    let storesBeforeReturn = 0;
    forEachStmt((loop as any).body, (s) => {
      if (s.kind === 'if' && s.then.some((t) => t.kind === 'return')) {
        const k = s.then.findIndex((t) => t.kind === 'return');
        const prev = s.then[k - 1];
        if (prev?.kind === 'if') storesBeforeReturn += accesses(prev.then, 0)[1];
      }
    });
    expect(storesBeforeReturn).toBe(7);
  });

  it('leaves a loop alone that touches another global array, or two threads\' words', async () => {
    const a = await legalIR(storesPerDraw, [random.createStates(16, 1), new Uint32Array(16 * 4), 4]);
    expect(keepThreadStatesInLocals(a)).toBe(a);
    const b = await legalIR(twoStreams, args(16));
    expect(keepThreadStatesInLocals(b)).toBe(b);
  });

  it('with boundscheck: false (no thread check in the loop) the loop has no state access at all', async () => {
    const out = keepThreadStatesInLocals(await legalIR(sumUniforms, args(64), { target: 'cpu', boundscheck: false })); // the simulator always checks
    const [loop] = loopsOf(out);
    expect(accesses((loop as any).body, 0)).toEqual([0, 0]);
  });
});

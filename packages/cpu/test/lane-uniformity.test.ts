// Lane uniformity of locals with a scope (core's localScopes): an inlined
// function's parameter copies and loop counter under a thread-dependent `if`
// stay one value for the group, and its counted loop stays a plain loop. The
// random draws depend on it: their state words are consecutive vector accesses
// and Philox's rounds a plain loop, not gathers and per-lane masks.
import { describe, expect, it } from 'vitest';
import { cuda, random, BLOCK_UNIFORMITY, analyzeUniformity } from '@numbat/core';
import { analyzeLaneUniformity } from '../src/codegen/lane-uniformity.js';

function walk(states: Uint32Array, out: Int32Array, steps: number) {
  const i = cuda.grid(1);
  if (i >= out.length) return;
  let x = 0;
  for (let s = 0; s < steps; s++) {
    if (random.uniformF32(states, i) < 0.5) x += 1;
    else x -= 1;
  }
  out[i] = x;
}

async function legalIR(k: ReturnType<typeof cuda.jit>, args: unknown[]) {
  const any = k as any;
  return (await any.specialise(any.signatureOf(args, await any.backend()))).legal;
}

describe('lane uniformity of scoped locals', () => {
  it('keeps the inlined refill uniform under its varying if; block uniformity does not', async () => {
    const n = 64;
    const args = [random.createStates(n, 3), new Int32Array(n), 9];
    const ir = await legalIR(cuda.jit(walk, { target: 'cpu' }), args);
    const name = (id: number) => ir.locals.find((l: any) => l.id === id).name;
    const lane = analyzeLaneUniformity(ir);
    const laneNames = [...lane.uniformLocals].map(name);
    // the copies of n in uint32, advance and blockWord, and the refill's round counter
    expect(laneNames.filter((x) => x === 'n').length).toBe(3);
    expect(laneNames).toEqual(expect.arrayContaining(['r']));
    expect(lane.varyingLoops.size).toBe(0);
    const block = analyzeUniformity(ir, BLOCK_UNIFORMITY);
    expect([...block.uniformLocals].map(name)).not.toContain('r');
    expect(block.varyingLoops.size).toBe(1); // the rounds, under the refill's varying if
  });

  it('draws state words with consecutive vector accesses and the same bits as the simulator', async () => {
    const n = 100, steps = 37;
    const cpuArgs = [random.createStates(n, 11), new Int32Array(n), steps];
    const simArgs = [random.createStates(n, 11), new Int32Array(n), steps];
    const k = cuda.jit(walk, { target: 'cpu' });
    await k.configure(2, 64)(...cpuArgs);
    await cuda.jit(walk, { target: 'sim' }).configure(2, 64)(...simArgs);
    expect(Array.from(cpuArgs[1] as Int32Array)).toEqual(Array.from(simArgs[1] as Int32Array));
    expect(Array.from(cpuArgs[0] as Uint32Array)).toEqual(Array.from(simArgs[0] as Uint32Array));
    const opt = await k.inspect('opt', ...cpuArgs);
    // The draws read their words at fixed word numbers and the loop keeps them
    // in registers (keepThreadStatesInLocals): no gather at all, the state
    // words consecutive vector accesses before and after the loop.
    expect(opt).not.toMatch(/@llvm\.masked\.gather/);
    expect(opt).toMatch(/%state\.word5[.\w]* = phi <\d+ x i32>/);
  });
});

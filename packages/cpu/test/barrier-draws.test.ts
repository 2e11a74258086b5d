// Random draws around a barrier (a Monte Carlo kernel that draws, then reduces or exchanges
// through shared memory). Each draw assigns block-uniform locals (its states' thread count) and
// indexes the states by `i = cuda.grid(1)`: the storage plan once hoisted those assignments
// between regions, cutting the region at every draw, and kept `i` per thread, so the lane groups
// gathered every state word lane by lane (8 draws: 1 MB of LLVM IR, 1.2 s to compile; with 35 in
// a fuzz kernel, 37 s). regions.ts: recomputableLocals, blockScalarPlan.
import { describe, expect, it } from 'vitest';
import { cuda, random } from '@numbat/core';

function drawsAroundBarrier(states: Uint32Array, out: Float32Array, hits: Uint32Array) {
  const i = cuda.grid(1);
  const t = cuda.threadIdx.x;
  const sh = cuda.shared.array(64, f32);
  let s = f32(0);
  s += random.uniformF32(states, i);
  s += random.uniformF32(states, i);
  if ((random.uint32(states, i) & 3) === 0) s += random.uniformF32(states, i);
  s += random.uniformF32(states, i);
  sh[t] = s;
  cuda.syncthreads();
  let r = sh[(t + 1) & 63];
  r += random.uniformF32(states, i);
  if (random.uniformF32(states, i) < 0.5) hits[i] = random.uint32(states, i);
  r += random.uniformF32(states, i);
  out[i] = r;
}

describe('cpu: random draws around a barrier', () => {
  const run = async (target: 'sim' | 'cpu') => {
    const args = [random.createStates(128, 7), new Float32Array(128), new Uint32Array(128)] as const;
    await cuda.jit(drawsAroundBarrier, { target, cache: false }).configure(2, 64)(...args);
    return args;
  };

  it('give the simulator\'s results and final states', async () => {
    const [want, got] = [await run('sim'), await run('cpu')];
    expect(got[1]).toEqual(want[1]);
    expect(got[2]).toEqual(want[2]);
    expect(got[0]).toEqual(want[0]);
  });

  it('compile to a region per side of the barrier with contiguous state accesses (no lane-by-lane gathers)', async () => {
    const args = [random.createStates(128, 7), new Float32Array(128), new Uint32Array(128)];
    const llvm = await cuda.jit(drawsAroundBarrier, { target: 'cpu', cache: false }).inspect('llvm', ...args);
    // before: 42 numbat_lanes_pack calls (64 single loads each) and ~1 MB of text for eight draws
    expect(llvm).not.toMatch(/@numbat_lanes_pack_v\d+i32\(/);
    expect(llvm.length).toBeLessThan(400_000);
  });
});

// Moves between a lane group's scalars and its vectors (codegen/lane-moves-ir.ts):
// calls of always-inlined functions, no scratch allocas, and masks moved as
// the bits of an integer, so that "does any lane take this branch" stays one
// compare after optimisation (with extractelement per lane, LLVM kept W
// extractions and W - 1 ors in the random walk's inner loop: 5x slower).
// Results: the conformance corpus and lanes.test.ts.
import { describe, expect, it } from 'vitest';
import { cuda, random } from '@numbat/core';

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

describe('cpu lane moves', () => {
  const args = () => [random.createStates(64, 3), new Int32Array(64), 5];

  it('are calls of the lane-move functions, not stores and loads through scratch memory', async () => {
    const llvm = await cuda.jit(walk, { target: 'cpu', cache: false }).inspect('llvm', ...args());
    expect(llvm).toMatch(/call <\d+ x i32> @numbat_lanes_linear_v\d+i32\(/);
    expect(llvm).toMatch(/^define [^\n]*@numbat_lanes_linear_v\d+i32\(/m); // linked in (always inlined: gone after optimisation)
    expect(llvm).not.toMatch(/%lanes\.(i32|i64|f32|f64|bool)\d* = alloca/);
  });

  it('keep a mask as one <W x i1> vector, never one i1 per lane', async () => {
    const llvm = await cuda.jit(walk, { target: 'cpu', cache: false }).inspect('llvm', ...args());
    expect(llvm).toMatch(/%alive\d* = alloca <\d+ x i1>/); // the guard's lanes still running
    expect(llvm).not.toMatch(/%alive\.\d+ = alloca i1/);
    expect(llvm).not.toMatch(/\.lane\d+ = alloca i1/); // bool locals: one <W x i8> each
    expect(llvm).not.toMatch(/@numbat_lanes_pack_v\d+i1\(/); // no mask is packed from lanes
  });

  it('leave no per-lane extraction of a mask after optimisation', async () => {
    const opt = await cuda.jit(walk, { target: 'cpu', cache: false }).inspect('opt', ...args());
    expect(opt).toMatch(/<\d+ x i1>/); // the masks are there (as vectors and integers)
    // Per block of the lane loops (`lloop*`): the group's prologue (the guard's
    // per-lane "alive" flags, the state-locals guard) may take lanes apart once
    // per group; the loop that draws must not, per pass.
    const extractsByBlock = new Map<string, number>();
    let block = 'entry';
    for (const line of opt.split('\n')) {
      const label = /^([\w.]+):/.exec(line);
      if (label) block = label[1];
      if (/extractelement <\d+ x i1>/.test(line)) extractsByBlock.set(block, (extractsByBlock.get(block) ?? 0) + 1);
    }
    expect(opt).toMatch(/^lloop[\w.]*:/m);
    expect([...extractsByBlock.keys()].filter((b) => b.startsWith('lloop'))).toEqual([]);
    expect(opt).not.toMatch(/@numbat_lanes_/); // all inlined
  });

  it('give the simulator results', async () => {
    const [got, want] = [args(), args()];
    await cuda.jit(walk, { target: 'cpu' }).configure(3, 20)(...got);
    await cuda.jit(walk, { target: 'sim' }).configure(3, 20)(...want);
    expect(Array.from(got[1] as Int32Array)).toEqual(Array.from(want[1] as Int32Array));
  });
});

// The lowering's type fixed point (frontend/lower.ts): a round whose locals
// already had the types it infers is the last one, so a kernel whose types are
// known as its locals are declared is lowered once; a local widened later (an
// i32 that is then given a fraction) still takes a second round, with the
// widened type everywhere. The rounds are read from NUMBAT_LOG=debug in a child
// process (the level is read once per process). That the one-round IR equals
// what a confirming round would lower is what the IR snapshots guard
// (ir-snapshots.test.ts: recorded with a confirming round for every kernel).

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const script = `
import { cuda, random } from '@numbat/core';
const settledAtOnce = cuda.jit(function settledAtOnce(a, o) {
  const i = cuda.grid(1);
  let s = 0.5;
  for (let j = 0; j < 4; j++) s += a[j] * j;
  if (i === 0) o[0] = s;
}, { target: 'sim' });
const widened = cuda.jit(function widened(a, o) {
  let s = 0;
  for (let j = 0; j < 4; j++) s = s + a[j];
  o[0] = s;
}, { target: 'sim' });
const normals = cuda.jit(function normals(states, o) {
  const i = cuda.grid(1);
  if (i < o.length) o[i] = random.normalF32(states, i);
}, { target: 'sim' });
const a = new Float64Array([0.25, 0.5, 1, 2]), o = new Float64Array(1);
await settledAtOnce.configure(1, 1)(a, o);
console.log('settledAtOnce', o[0]);
await widened.configure(1, 1)(a, o);
console.log('widened', o[0]);
const z = new Float32Array(2);
await normals.configure(1, 2)(random.createStates(2, 7), z);
console.log('normals', z.every(Number.isFinite));
`;

describe('the lowering stops at the first settled round', () => {
  it('one round where the declared types hold, two where a local is widened later, with the widened result', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NUMBAT_LOG: 'debug', NUMBAT_TARGET: '' }, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const rounds = Object.fromEntries([...r.stderr.matchAll(/kernel '(\w+)': local types settled after (\d+) lowering round/g)].map((m) => [m[1], Number(m[2])]));
    expect(rounds).toEqual({ settledAtOnce: 1, widened: 2, normals: 1 });
    expect(r.stdout).toContain(`settledAtOnce ${0.5 + 0.5 + 2 + 6}`);
    expect(r.stdout).toContain(`widened ${0.25 + 0.5 + 1 + 2}`); // s is f64: the first round's i32 guess is gone
    expect(r.stdout).toContain('normals true');
  });
});

// The differential kernel fuzzer (test/fuzz/, docs/fuzzing.md) on a fixed budget: a fixed
// range of seeds, so every run generates the same kernels. Each kernel runs on sim, cpu,
// webgpu and cuda (those available) against the simulator, and the JS-exact ones against the
// function run as plain JavaScript; where ptxas is found, cuda's PTX of each must pass it
// (the `ptx` target). Any mismatch, internal error or refused valid kernel fails with the
// seed and the reduced kernel as a ready-to-paste test. Families of bugs still open
// (KNOWN_OPEN in test/fuzz/fuzz.mjs) are not generated until they are fixed.

import { describe, expect, it } from 'vitest';
import { targetAvailability, type Target } from '@numbat/core';
import { fuzz, KNOWN_OPEN } from './fuzz/fuzz.mjs';
import { generate, kernelSource } from './fuzz/gen.mjs';
import { launch, ptxUnavailable } from './fuzz/run.mjs';

const FIRST_SEED = 7000;
const CHUNKS = 4;
const PER_CHUNK = 25;
const TARGETS: Target[] = ['sim', 'cpu', 'webgpu', 'cuda'];
const avail = await Promise.all(TARGETS.map((t) => targetAvailability(t)));
const ptxSkipped = await ptxUnavailable();
const targets = [...TARGETS.filter((_, i) => avail[i].ok), ...(ptxSkipped ? [] : ['ptx'])];
const skipped = [...TARGETS.flatMap((t, i) => (avail[i].ok ? [] : [`${t}: ${avail[i].reason?.split(': ')[0]}`])), ...(ptxSkipped ? [`ptx: ${ptxSkipped}`] : [])];

describe(`fuzz: ${CHUNKS * PER_CHUNK} generated kernels on ${targets.join(', ')}${skipped.length ? ` (skipped: ${skipped.join('; ')})` : ''}`, () => {
  for (let c = 0; c < CHUNKS; c++) {
    const seed = FIRST_SEED + c * PER_CHUNK;
    it(`seeds ${seed}..${seed + PER_CHUNK - 1}`, async () => {
      const s = await fuzz({ seed, count: PER_CHUNK, targets, exclude: KNOWN_OPEN, maxReduceTries: 150 });
      const report = s.failures.map((f: any) => `seed ${f.seed}: ${f.key}\n${f.test}`).join('\n\n');
      expect(s.kernels).toBe(PER_CHUNK);
      expect(report).toBe('');
      // Every checked kernel ran on the simulator.
      expect(s.perTarget.sim.ok).toBe(PER_CHUNK);
    }, 600_000);
  }
});

describe('fuzz generator', () => {
  it('types a constant i32 expression beyond 2^24 (seed 28000056: `(65535 * 1000000) | 0` beside f32 arithmetic was refused in f32)', async () => {
    const p = generate(28000056, { kinds: ['f32'] });
    expect(kernelSource(p)).toContain('i32(((65535 * 1000000) | 0))');
    // the reference of targets without f64: the simulator with float f32 accepts it
    const r = await launch(p, 'sim', 'f32');
    expect(r.error?.message).toBeUndefined();
  });
});

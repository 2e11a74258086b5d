// Every corpus kernel on every backend: the simulator against plain-JS
// references, every other target against the simulator (run with the same
// default float). Unavailable targets are reported as skipped, with the reason.

import { describe, expect, it } from 'vitest';
import { cuda, targetAvailability, loadBackend, registeredTargets, type Target } from '@numbat/core';
import { CORPUS } from './corpus/index.js';
import { cloneArgs, mismatches } from './compare.js';

const TARGETS: Target[] = registeredTargets();
const avail = await Promise.all(TARGETS.map((t) => targetAvailability(t)));

async function run(c: (typeof CORPUS)[number], target: Target, float?: 'f32' | 'f64') {
  const args = c.args();
  const k = cuda.jit(c.kernel, { ...c.options, target, ...(float ? { float } : {}) });
  await k.configure(c.grid as any, c.block as any, { sharedMem: c.sharedMem })(...args);
  return args;
}

function check(c: (typeof CORPUS)[number], got: unknown[], want: unknown[], f32Default: boolean) {
  for (const o of c.outputs) {
    const g = got[o] as ArrayLike<number>, w = want[o] as ArrayLike<number>;
    const isFloat = g instanceof Float32Array || g instanceof Float64Array;
    const bad = mismatches(g, w, isFloat, g instanceof Float32Array || f32Default, c);
    expect(bad, `${c.name}: output argument ${o + 1}`).toEqual([]);
  }
}

describe('sim matches the plain-JS references', () => {
  for (const c of CORPUS) {
    it(c.name, async () => {
      const got = await run(c, 'sim');
      const want = cloneArgs(c.args());
      c.reference(want);
      check(c, got, want, false);
    });
  }
});

TARGETS.forEach((target, ti) => {
  if (target === 'sim') return;
  const a = avail[ti];
  const title = a.ok ? `${target} matches sim (${a.device ?? 'device'})` : `${target} (skipped: ${a.reason})`;
  describe.skipIf(!a.ok)(title, () => {
    for (const c of CORPUS) {
      it(c.name, async () => {
        const backend = await loadBackend(target);
        if (c.needsF64 && !backend.caps.f64) {
          await expect(run(c, target)).rejects.toThrow(/f64|Float64Array/);
          return;
        }
        const float = backend.caps.f64 ? undefined : 'f32';
        let got: unknown[];
        try {
          got = await run(c, target);
        } catch (e) {
          // 8/16-bit arrays may be refused by targets without them, but only with a CompileError naming them.
          if (c.narrowInts && (e as Error).name === 'CompileError' && /8|16/.test((e as Error).message)) return;
          throw e;
        }
        const want = await run(c, 'sim', float);
        check(c, got, want, !backend.caps.f64);
      });
    }
  });
});

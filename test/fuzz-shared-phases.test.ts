// The fuzz generator's shared-memory phases are race-free: between two barriers, a phase
// that stores to the shared array reads no element of it (another thread's slot may be
// being written: its value would depend on the order the threads run in, which targets
// are free to choose). Fuzz seed 3001857 generated `sh[t] = nb + 1e8 % sh[1]`.

import { describe, expect, it } from 'vitest';
import { generate, kernelSource } from './fuzz/gen.mjs';

const TIDS = ['(cuda.threadIdx.y * 4 + cuda.threadIdx.x)', 'cuda.threadIdx.x'];

/** The barrier phases of a kernel that store to `sh` and also read it. */
function racyPhases(src: string): string[] {
  return src.split('cuda.syncthreads();').filter((phase) => {
    const stores = TIDS.filter((t) => phase.includes(`sh[${t}] = `)).length;
    const accesses = phase.split('sh[').length - 1;
    return stores > 0 && accesses > stores;
  });
}

describe('fuzz generator: shared memory phases', () => {
  it('no phase both writes and reads the shared array (seeds 3001800..3002799)', () => {
    let twoPhase = 0;
    for (let seed = 3001800; seed < 3002800; seed++) {
      const p = generate(seed);
      if (!p.useShared) continue;
      const src = kernelSource(p);
      if (src.includes('const nb = sh[')) twoPhase++;
      expect(racyPhases(src), `seed ${seed}:\n${src}`).toEqual([]);
    }
    // The range covers the second phase (and seed 3001857, whose value reads sh[1]).
    expect(twoPhase).toBeGreaterThan(20);
  });
});

// numbat's random numbers (Philox4x32-10) on every available target:
// Random123's known-answer vectors through the stateless form, raw words and
// uniforms bit-identical to the simulator, normals equal up to the targets'
// transcendental functions, the [0, 1) edge, statistics, the state's counter
// carry, f64 refusal on WebGPU, and PTX that ptxas accepts.

import { describe, expect, it } from 'vitest';
import { CompileError, cuda, random, targetAvailability, type Target } from '@numbat/core';
import { hostPairF32 } from '@numbat/core/testsuite';
import { assemblePtx, findPtxas } from '../packages/cuda/test/helpers.js';
import { libdevicePath } from '../packages/cuda/dist/codegen/libdevice.js';
import { expectSameStates } from './fixtures/random-states.js';

const TARGETS: Target[] = ['sim', 'cpu', 'webgpu', 'cuda'];
const avail = await Promise.all(TARGETS.map((t) => targetAvailability(t)));
const skipped = (t: Target) => avail[TARGETS.indexOf(t)];

// Random123 1.14, tests/kat_vectors, the three philox4x32 10 lines:
// counter words 0..3, key words 0..1 → output words 0..3.
const KAT: [number[], number[], number[]][] = [
  [[0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
  [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
  [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
];

function katKernel(target: Target) {
  return cuda.jit(function philoxKat(v: Uint32Array, out: Uint32Array) {
    const i = cuda.grid(1);
    if (i * 6 >= v.length) return;
    const b = i * 6;
    random.philox(v[b + 4], v[b + 5], v[b], v[b + 1], v[b + 2], v[b + 3], out, i * 4);
  }, { target });
}
const katInput = () => Uint32Array.from(KAT.flatMap(([c, k]) => [...c, ...k]));

/** Every thread draws `draws` raw words, f32 uniforms and f32 normals, interleaved per thread as a kernel would. */
function drawKernel(target: Target) {
  return cuda.jit(function draws(states: Uint32Array, words: Uint32Array, u: Float32Array, z: Float32Array, draws: number) {
    const i = cuda.grid(1);
    if (i * 10 >= states.length) return;
    for (let k = 0; k < draws; k++) {
      words[i * draws + k] = random.uint32(states, i);
      u[i * draws + k] = random.uniformF32(states, i);
      z[i * draws + k] = random.normalF32(states, i);
    }
  }, { target });
}

async function runDraws(target: Target, threads: number, draws: number, seed: number) {
  const states = random.createStates(threads, seed);
  const words = new Uint32Array(threads * draws), u = new Float32Array(threads * draws), z = new Float32Array(threads * draws);
  await drawKernel(target).configure(Math.ceil(threads / 64), 64)(states, words, u, z, draws);
  return { states, words, u, z };
}

const THREADS = 256, DRAWS = 24;
const simDraws = await runDraws('sim', THREADS, DRAWS, 2026);

describe('random on the host', () => {
  it('normalF64 is Box-Muller on each block (53-bit u1 and u2): r cos θ, then r sin θ, kept in block words 0 and 1', async () => {
    const pairs = 3;
    const k = cuda.jit(function pairs64(states: Uint32Array, words: Uint32Array, z: Float64Array, kept: Uint32Array, w: number) {
      for (let d = 0; d < 4 * pairs; d++) if (w === 1) words[d] = random.uint32(states, 0);
      for (let d = 0; d < 2 * pairs && w === 0; d++) {
        z[d] = random.normalF64(states, 0);
        if (d === 0) { kept[0] = states[6]; kept[1] = states[7]; }
      }
    }, { target: 'sim', globals: { pairs } });
    const words = new Uint32Array(4 * pairs), z = new Float64Array(2 * pairs), kept = new Uint32Array(2);
    await k.configure(1, 1)(random.createStates(1, 78), words, z, kept, 0);
    await k.configure(1, 1)(random.createStates(1, 78), words, z, kept, 1);
    const bits53 = (hi: number, lo: number) => (hi >>> 5) * 67108864 + (lo >>> 6);
    for (let p = 0; p < pairs; p++) {
      const u1 = (9007199254740992 - bits53(words[4 * p], words[4 * p + 1])) * 1.1102230246251565e-16;
      const r = Math.sqrt(0 - 2 * Math.log(u1)), theta = bits53(words[4 * p + 2], words[4 * p + 3]) * 6.975736996017264e-16;
      expect([z[2 * p], z[2 * p + 1]]).toEqual([r * Math.cos(theta), r * Math.sin(theta)]);
    }
    expect(new Float64Array(new Uint32Array([kept[1], kept[0]]).buffer)[0]).toBe(z[1]); // high word first
  });

  it('normalF32 is Box-Muller on each pair of words: r cos θ, then r sin θ, the second kept in the state by the first', async () => {
    const draws = 8;
    const k = cuda.jit(function pairs(states: Uint32Array, words: Uint32Array, z: Float32Array, kept: Uint32Array, w: number) {
      for (let d = 0; d < draws; d++) {
        if (w === 1) words[d] = random.uint32(states, 0);
        else z[d] = random.normalF32(states, 0);
        if (w === 0 && d === 0) kept[0] = states[6]; // word 0 of the block after one normal
      }
    }, { target: 'sim', globals: { draws } });
    const words = new Uint32Array(draws), z = new Float32Array(draws), kept = new Uint32Array(1);
    await k.configure(1, 1)(random.createStates(1, 77), words, z, kept, 0);
    await k.configure(1, 1)(random.createStates(1, 77), words, z, kept, 1);
    for (let p = 0; p < draws / 2; p++) expect([z[2 * p], z[2 * p + 1]]).toEqual(hostPairF32(words[2 * p], words[2 * p + 1]));
    expect(new Float32Array(kept.buffer)[0]).toBe(z[1]); // the partner's bits, not the Philox word
  });

  it("32-bit draws between a pair's two normals keep the pair (cuRAND's and numpy's legacy cached Gaussian); an f64 normal drops it", async () => {
    // normal, three u32 (the third refills: the kept partner survives it), normal, normal; then an f64 normal between two f32 ones
    const k = cuda.jit(function mixed(states: Uint32Array, words: Uint32Array, z: Float32Array, z64: Float64Array, w: number) {
      if (w === 1) { for (let d = 0; d < 16; d++) words[d] = random.uint32(states, 0); return; }
      z[0] = random.normalF32(states, 0);
      words[0] = random.uint32(states, 0); words[1] = random.uint32(states, 0); words[2] = random.uint32(states, 0);
      z[1] = random.normalF32(states, 0);
      z[2] = random.normalF32(states, 0);
      z64[0] = random.normalF64(states, 0);
      z[3] = random.normalF32(states, 0);
    }, { target: 'sim' });
    const stream = new Uint32Array(16), words = new Uint32Array(16), z = new Float32Array(4), z64 = new Float64Array(1);
    await k.configure(1, 1)(random.createStates(1, 91), stream, z, z64, 1);
    await k.configure(1, 1)(random.createStates(1, 91), words, z, z64, 0);
    // block 0: the pair (0, 1), then words 2 and 3; block 1: word 0 to the third u32, its pair (2, 3) after
    expect([...words.slice(0, 3)]).toEqual([stream[2], stream[3], stream[4]]);
    expect([z[0], z[1]]).toEqual(hostPairF32(stream[0], stream[1]));
    expect(z[2]).toBe(hostPairF32(stream[6], stream[7])[0]);
    // the f64 normal takes block 2 whole and drops z[2]'s partner: z[3] is the first of block 3's pair (0, 1)
    expect(z[3]).toBe(hostPairF32(stream[12], stream[13])[0]);
  });

  it('createStates lays out key, counter, stream and position word-major', () => {
    const s = random.createStates(3, 0x1234567890abcn, 5);
    expect(s.length).toBe(3 * random.STATE_WORDS);
    expect(Array.from(s.subarray(0, 3))).toEqual([0x67890abc, 0x67890abc, 0x67890abc]); // key word 0: seed's low bits
    expect(Array.from(s.subarray(3, 6))).toEqual([0x12345, 0x12345, 0x12345]); // key word 1: seed's high bits
    expect(Array.from(s.subarray(6, 12))).toEqual([0, 0, 0, 0, 0, 0]); // block counter
    expect(Array.from(s.subarray(12, 15))).toEqual([5, 6, 7]);
    expect(Array.from(s.subarray(15, 18))).toEqual([4, 4, 4]);
  });
  it('refuses bad sizes and seeds with a message', () => {
    expect(() => random.createStates(-1, 1)).toThrow(/integer n/);
    expect(() => random.createStates(4, -3)).toThrow(/seed must be an integer from 0 to 2\^64-1/);
    expect(() => random.createStates(4, 2 ** 60)).toThrow(/seed/);
    expect(() => random.createStates(4, 1n << 64n)).toThrow(/seed/);
    expect(() => random.createStates(4, 1, 2 ** 32 - 2)).toThrow(/streams/);
  });
  it('a draw from an array that is not u32 is refused at the user\'s call, naming the draw', async () => {
    const k = cuda.jit(function drawsFromFloats(seeds: Float32Array, out: Float32Array) {
      const i = cuda.grid(1);
      out[i] = random.normalF32(seeds, i);
    }, { target: 'sim' });
    const err = await k.configure(1, 4)(new Float32Array(40), new Float32Array(4)).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(CompileError);
    const e = err as CompileError;
    expect(e.message).toMatch(/^random\.normalF32 draws from the states array random\.createStates makes .*its first argument 'seeds' is f32\[\]/);
    // The user's line (not one inside the library's Philox rounds, where f32 words first failed to type).
    expect(e.file).toMatch(/random\.test\.ts$/);
    expect(e.frame).toContain('random.normalF32(seeds, i)');
  });
});

describe('random in the simulator', () => {
  it('streams of different threads and seeds differ; the same seed repeats', async () => {
    const again = await runDraws('sim', 64, 8, 2026);
    const other = await runDraws('sim', 64, 8, 2027);
    // Thread t's words at seed 2026 do not depend on how many threads ran.
    for (let t = 0; t < 64; t++) expect(again.words.subarray(t * 8, t * 8 + 8)).toEqual(simDraws.words.subarray(t * DRAWS, t * DRAWS + 8));
    let sameAcrossSeeds = 0, sameAcrossThreads = 0;
    for (let k = 0; k < 64 * 8; k++) if (other.words[k] === again.words[k]) sameAcrossSeeds++;
    for (let k = 0; k < 8; k++) if (again.words[k] === again.words[8 + k]) sameAcrossThreads++;
    expect(sameAcrossSeeds).toBe(0);
    expect(sameAcrossThreads).toBe(0);
  });

  it('uniforms lie in [0, 1) with mean 1/2 and variance 1/12; normals have mean 0 and variance 1', async () => {
    const n = 200_000;
    const stats = cuda.jit(function stats(states: Uint32Array, u32: Float32Array, u64: Float64Array, z32: Float32Array, z64: Float64Array) {
      const i = cuda.grid(1);
      if (i * 10 >= states.length) return;
      u32[i] = random.uniformF32(states, i);
      u64[i] = random.uniformF64(states, i);
      z32[i] = random.normalF32(states, i);
      z64[i] = random.normalF64(states, i);
    }, { target: 'sim' });
    const arrays = [new Float32Array(n), new Float64Array(n), new Float32Array(n), new Float64Array(n)] as const;
    await stats.configure(n / 64, 64)(random.createStates(n, 7), ...arrays);
    const moments = (a: ArrayLike<number>) => {
      let s = 0, s2 = 0;
      for (let k = 0; k < a.length; k++) { s += a[k]; s2 += a[k] * a[k]; }
      const mean = s / a.length;
      return { mean, variance: s2 / a.length - mean * mean };
    };
    for (const u of [arrays[0], arrays[1]]) {
      expect(u.reduce((x, y) => Math.min(x, y))).toBeGreaterThanOrEqual(0);
      expect(u.reduce((x, y) => Math.max(x, y))).toBeLessThan(1);
      const m = moments(u);
      // Standard errors: mean sqrt(1/12/n) = 6.5e-4, variance ~ sqrt(1/180/n) = 1.7e-4.
      expect(Math.abs(m.mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
      expect(Math.abs(m.variance - 1 / 12)).toBeLessThan(5 * Math.sqrt(1 / 180 / n));
    }
    for (const z of [arrays[2], arrays[3]]) {
      const m = moments(z);
      expect(Math.abs(m.mean)).toBeLessThan(5 * Math.sqrt(1 / n));
      expect(Math.abs(m.variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
      // Tails: P(|Z| > 3) = 0.0027.
      const tail = Array.from(z).filter((x) => Math.abs(x) > 3).length / n;
      expect(Math.abs(tail - 0.0027)).toBeLessThan(5 * Math.sqrt(0.0027 / n));
    }
  });

  it('all-ones words give the largest uniforms, below 1.0; all-zero words give finite normals', async () => {
    const edge = cuda.jit(function edge(states: Uint32Array, out: Float64Array, which: number) {
      if (which === 0) out[0] = random.uniformF32(states, 0);
      else if (which === 1) out[0] = random.uniformF64(states, 0);
      else if (which === 2) out[0] = random.normalF32(states, 0);
      else out[0] = random.normalF64(states, 0);
    }, { target: 'sim' });
    // A state whose current block holds four copies of `word`, none drawn yet
    // (normalF64 always takes a fresh block, so it sees the words at position 4, drawn).
    const draw = async (word: number, which: number) => {
      const s = random.createStates(1, 0);
      s[5] = 0;
      s.fill(word, 6, 10);
      const out = new Float64Array(1);
      await edge.configure(1, 1)(s, out, which);
      return out[0];
    };
    expect(await draw(0xffffffff, 0)).toBe(1 - 2 ** -24);
    expect(await draw(0xffffffff, 1)).toBe(1 - 2 ** -53);
    expect(await draw(0, 0)).toBe(0);
    expect(await draw(0, 1)).toBe(0);
    // u1 = 1 - 0 = 1: r = 0, the normal is exactly 0 (never -Infinity or NaN);
    // all-ones words give u1 = 2^-24: the largest f32 normal, r = sqrt(-2 log 2^-24) = 5.77.
    expect(await draw(0, 2)).toBe(0);
    const largest = await draw(0xffffffff, 2);
    expect(Number.isFinite(largest)).toBe(true);
    expect(Math.abs(largest)).toBeLessThanOrEqual(Math.fround(Math.sqrt(-2 * Math.log(2 ** -24))) * 1.000001);
  });

  it("the 64-bit block counter carries into its high word", async () => {
    const k = cuda.jit(function carry(states: Uint32Array, out: Uint32Array) {
      for (let d = 0; d < 8; d++) out[d] = random.uint32(states, 0);
    }, { target: 'sim' });
    const s = random.createStates(1, 99);
    s[2] = 0xffffffff; // block counter 2^32 - 1
    const out = new Uint32Array(8);
    await k.configure(1, 1)(s, out);
    expect(s[2]).toBe(1);
    expect(s[3]).toBe(1);
    // The second block is Philox(key, [0, 1, stream, 0]): compare with the stateless form.
    const ref = new Uint32Array(4);
    await cuda.jit(function block(out: Uint32Array) { random.philox(99, 0, 0, 1, 0, 0, out, 0); }, { target: 'sim' }).configure(1, 1)(ref);
    expect(out.subarray(4)).toEqual(ref);
  });
});

for (const target of TARGETS) {
  const a = skipped(target);
  describe.skipIf(!a.ok)(`random on ${target}${a.ok ? '' : ` (skipped: ${a.reason})`}`, () => {
    it("Random123's known-answer vectors", async () => {
      const out = new Uint32Array(12);
      await katKernel(target).configure(1, 32)(katInput(), out);
      expect(Array.from(out)).toEqual(KAT.flatMap(([, , want]) => want));
    });

    it('raw words and f32 uniforms are bit-identical to the simulator; normals agree to the math library', async () => {
      const got = await runDraws(target, THREADS, DRAWS, 2026);
      expect(got.words).toEqual(simDraws.words);
      expect(new Uint32Array(got.u.buffer)).toEqual(new Uint32Array(simDraws.u.buffer));
      let worst = 0;
      for (let k = 0; k < got.z.length; k++) worst = Math.max(worst, Math.abs(got.z[k] - simDraws.z[k]) / Math.max(1, Math.abs(simDraws.z[k])));
      // f32 log/sqrt/sin/cos differ between libm, WGSL helpers and libdevice (measured over 262144
      // normals: cpu 2.1e-7, llvmpipe 8.9e-6 relative to max(1, |z|); docs/random.md).
      const tol = target === 'cpu' || target === 'sim' ? 1e-6 : 5e-5;
      expect(worst).toBeLessThan(tol);
      // the same final state, word for word but the kept Box-Muller partners (normals themselves)
      expectSameStates(got.states, simDraws.states, tol);
    });

    it('normals drawn in pairs by threads out of step (odd threads start at the second of a pair) agree with the simulator', async () => {
      const run = async (t: Target) => {
        const states = random.createStates(THREADS, 31);
        const z = new Float32Array(THREADS * 9), u = new Float32Array(THREADS);
        await cuda.jit(function outOfStep(states: Uint32Array, z: Float32Array, u: Float32Array) {
          const i = cuda.grid(1);
          if (i * 10 >= states.length) return;
          let k = 0;
          if (i % 2 === 1) { z[i * 9] = random.normalF32(states, i); k = 1; }
          for (; k < 8; k++) z[i * 9 + k] = random.normalF32(states, i);
          u[i] = random.uniformF32(states, i); // after the pairs: the stream went on word for word
        }, { target: t }).configure(THREADS / 64, 64)(states, z, u);
        return { states, z, u };
      };
      const [got, sim] = await Promise.all([run(target), run('sim')]);
      const tol = target === 'cpu' || target === 'sim' ? 1e-6 : 5e-5;
      for (let k = 0; k < got.z.length; k++) expect(Math.abs(got.z[k] - sim.z[k])).toBeLessThan(tol * Math.max(1, Math.abs(sim.z[k])));
      expect(got.u).toEqual(sim.u);
      expectSameStates(got.states, sim.states, tol);
    });

    if (target !== 'webgpu') {
      it('f64 normals in pairs by threads out of step agree with the simulator to 1e-14, and so do the states', async () => {
        const run = async (t: Target) => {
          const states = random.createStates(128, 9);
          const z = new Float64Array(128 * 7), u = new Float64Array(128);
          await cuda.jit(function outOfStep64(states: Uint32Array, z: Float64Array, u: Float64Array) {
            const i = cuda.grid(1);
            if (i * 10 >= states.length) return;
            let k = 0;
            if (i % 3 === 1) { z[i * 7] = random.normalF64(states, i); k = 1; }
            for (; k < 6; k++) z[i * 7 + k] = random.normalF64(states, i);
            u[i] = random.uniformF64(states, i);
          }, { target: t }).configure(2, 64)(states, z, u);
          return { states, z, u };
        };
        const [mine, sim] = await Promise.all([run(target), run('sim')]);
        for (let d = 0; d < mine.z.length; d++) expect(Math.abs(mine.z[d] - sim.z[d])).toBeLessThan(1e-14 * Math.max(1, Math.abs(sim.z[d])));
        expect(mine.u).toEqual(sim.u);
        expectSameStates(mine.states, sim.states, 1e-14);
      });

      it('f64 uniforms and normals are bit-identical to the simulator (uniforms) and within 1e-14 (normals)', async () => {
        const draws64 = function draws64(states: Uint32Array, u: Float64Array, z: Float64Array) {
          const i = cuda.grid(1);
          if (i * 10 >= states.length) return;
          for (let d = 0; d < 4; d++) { u[i * 4 + d] = random.uniformF64(states, i); z[i * 4 + d] = random.normalF64(states, i); }
        };
        const run = async (t: Target) => {
          const u = new Float64Array(128 * 4), z = new Float64Array(128 * 4);
          await cuda.jit(draws64, { target: t }).configure(2, 64)(random.createStates(128, 5), u, z);
          return { u, z };
        };
        const [mine, sim] = await Promise.all([run(target), run('sim')]);
        expect(mine.u).toEqual(sim.u);
        for (let d = 0; d < mine.z.length; d++) expect(Math.abs(mine.z[d] - sim.z[d])).toBeLessThan(1e-14 * Math.max(1, Math.abs(sim.z[d])));
      });
    } else {
      it('f64 draws are refused with the f64 error, not demoted', async () => {
        const k = cuda.jit(function draws64(states: Uint32Array, u: Float32Array) {
          const i = cuda.grid(1);
          u[i] = random.uniformF64(states, i);
        }, { target });
        const err = await k.configure(1, 1)(random.createStates(1, 1), new Float32Array(1)).catch((e) => e);
        expect(err).toBeInstanceOf(CompileError);
        expect(err.message).toMatch(/f64/);
        expect(err.message).toMatch(/never demotes/);
      });
    }
  });
}

const ptxas = findPtxas();
describe.skipIf(!ptxas)(`random's PTX passes ptxas -arch=sm_90${ptxas ? '' : ' (skipped: ptxas not found)'}`, () => {
  it('draws and the stateless form', async () => {
    const k = drawKernel('cuda');
    const ptx = await k.inspect('ptx', random.createStates(1, 1), new Uint32Array(1), new Float32Array(1), new Float32Array(1), 1);
    expect(ptx).toMatch(/mul\.hi\.u32/);
    assemblePtx(ptxas!, ptx, 'draws');
  });

  it("f64 normals: libdevice's log, sin and cos where libdevice is found (core's V8-bit library without it)", async () => {
    const k = cuda.jit(function normals64(states: Uint32Array, z: Float64Array) {
      const i = cuda.grid(1);
      if (i < z.length) z[i] = random.normalF64(states, i);
    }, { target: 'cuda' });
    const args = [random.createStates(1, 1), new Float64Array(1)] as const;
    const legal = await k.inspect('ir-legal', ...args);
    const ptx = await k.inspect('ptx', ...args);
    if (libdevicePath()) {
      for (const fn of ['log', 'sin', 'cos']) expect(legal).toContain(`math.${fn}.ulp.f64(`);
    } else {
      expect(legal).not.toMatch(/\.ulp\./);
    }
    assemblePtx(ptxas!, ptx, 'normals64');
  });
});

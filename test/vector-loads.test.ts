// Four consecutive loads a[4q], a[4q + 1], a[4q + 2], a[4q + 3] read as one
// 16-byte vector (core's quadLoadAt finds the group; webgpu reads it through an
// array<vec4<T>> binding of the same buffer, cuda with ld.global.v4), used by
// reduce's pass 1 and by any kernel compiled with boundscheck: false.
//  - the analysis: which statement groups qualify
//  - webgpu: the WGSL reads vec4s, and results equal the simulator's (host and
//    device arrays, lengths that are not a multiple of 4, an array also written)
//  - cuda: the PTX has ld.global.v4 and ptxas -arch=sm_90 accepts it
//  - reduce's quad form of pass 1 (caps.vectorLoads) gives the simulator's
//    results to the bit: the simulator runs both forms here
// Bit-identity of reduce on each target against the simulator: reduce.test.ts.

import { describe, expect, it } from 'vitest';
import { cuda, quadLoadAt, reduce, registerBackend, simBackend, targetAvailability, type Backend, type Expr, type Stmt, type Target } from '@numbat/core';
import { assemblePtx, findPtxas } from '../packages/cuda/test/helpers.js';

const i32 = (value: number): Expr => ({ kind: 'const', type: 'i32', value });
const local = (id: number, type: 'i32' | 'f32' = 'i32'): Expr => ({ kind: 'local', id, type });
const add = (a: Expr, b: Expr): Expr => ({ kind: 'binary', op: 'add', opType: 'i32', type: 'i32', a, b });
const mul = (a: Expr, b: Expr): Expr => ({ kind: 'binary', op: 'mul', opType: 'i32', type: 'i32', a, b });
const load = (param: number, index: Expr): Expr => ({ kind: 'load', array: { space: 'global', param }, index, type: 'f32' });
const assign = (id: number, value: Expr): Stmt => ({ kind: 'assign', local: id, value });
/** x_k = a[4q + k] into locals 10..13 (q is local 0). */
const group = (base: Expr = mul(i32(4), local(0)), param = 0): Stmt[] => [0, 1, 2, 3].map((k) => assign(10 + k, load(param, k ? add(base, i32(k)) : base)));

describe('quadLoadAt', () => {
  it('finds four loads of a[4q + k], in order, at the first of them', () => {
    const body = [assign(1, i32(0)), ...group()];
    expect(quadLoadAt(body, 0)).toBeUndefined();
    const q = quadLoadAt(body, 1)!;
    expect(q.param).toBe(0);
    expect(q.locals).toEqual([10, 11, 12, 13]);
    expect(quadLoadAt(group(mul(local(0), i32(4))), 0)).toBeDefined();
    expect(quadLoadAt(group({ kind: 'binary', op: 'shl', opType: 'i32', type: 'i32', a: local(0), b: i32(2) }), 0)).toBeDefined();
  });

  it('refuses what would read other values or other elements', () => {
    // not visibly a multiple of 4
    expect(quadLoadAt(group(mul(i32(2), local(0))), 0)).toBeUndefined();
    // the index reads a local the group assigns
    expect(quadLoadAt(group(mul(i32(4), local(11))), 0)).toBeUndefined();
    // two arrays
    const mixed = group();
    mixed[2] = assign(12, load(1, add(mul(i32(4), local(0)), i32(2))));
    expect(quadLoadAt(mixed, 0)).toBeUndefined();
    // out of order
    const swapped = group();
    [swapped[1], swapped[2]] = [swapped[2], swapped[1]];
    expect(quadLoadAt(swapped, 0)).toBeUndefined();
    // a store between them
    const stored = group();
    stored.splice(2, 0, { kind: 'store', array: { space: 'global', param: 0 }, index: i32(0), value: { kind: 'const', type: 'f32', value: 1 } });
    expect(quadLoadAt(stored, 0)).toBeUndefined();
    // the same local twice
    const twice = group();
    twice[3] = assign(10, load(0, add(mul(i32(4), local(0)), i32(3))));
    expect(quadLoadAt(twice, 0)).toBeUndefined();
  });
});

// The simulator under other names, declaring vector loads: reduce runs its quad form of pass 1
// there, with warp shuffles (as on cuda) and with the shared-memory tree only (as on webgpu).
for (const [name, warp] of [['simquads', 'native'], ['simquadstree', 'emulated']] as const) {
  const b: Backend = { ...simBackend, target: name as Target, caps: { ...simBackend.caps, vectorLoads: true, warp } };
  registerBackend(name as Target, async () => b, { priority: -1 });
}

describe("reduce's quad form of pass 1", () => {
  const bits = (x: number, elem: string) => (elem === 'f32' ? new Uint32Array(new Float32Array([x]).buffer)[0] : x);
  it('adds what the element-at-a-time form adds, in the same order (bit-identical results)', async () => {
    const fns = { sum: (a: number, b: number) => a + b, sub: (a: number, b: number) => a - 0.5 * b };
    for (const [name, fn] of Object.entries(fns)) {
      const plain = reduce(fn, { target: 'sim' }), quads = reduce(fn, { target: 'simquads' as Target }), tree = reduce(fn, { target: 'simquadstree' as Target });
      expect(await quads.inspect('ir', 'f32', 'blocks'), name).toMatch(/kernel reduceBlocksQuadsWarp\(/);
      expect(await tree.inspect('ir', 'f32', 'blocks'), name).toMatch(/kernel reduceBlocksQuads\(/);
      for (const elem of ['f32', 'i32', 'u32'] as const) {
        // Lengths of every residue mod 4, grids with one partial quad's owner anywhere, a thread per quad.
        for (const [n, blocks] of [[5 * 2560 + 1, 5], [4099, 3], [4098, 16], [4097, 1], [4096, 16], [100003, 7], [2 ** 16 + 3, 256]] as const) {
          const Arr = elem === 'f32' ? Float32Array : elem === 'i32' ? Int32Array : Uint32Array;
          const a = Arr.from({ length: n }, (_, i) => (elem === 'f32' ? Math.sin(i) * 1000 + 1 / (i + 1) : (i * 2654435761) % 2 ** 31));
          const [x, y, z] = [await plain(a, { blocks }), await quads(a, { blocks }), await tree(a, { blocks })];
          expect(bits(y, elem), `${name} over ${n} ${elem}, ${blocks} blocks: ${y} vs ${x}`).toBe(bits(x, elem));
          expect(bits(z, elem), `${name} over ${n} ${elem}, ${blocks} blocks, tree: ${z} vs ${x}`).toBe(bits(x, elem));
        }
      }
    }
  });
});

/** Each thread sums its quads of `a` (grid-stride) into out[thread], and the tail element by element. */
function quadSums(a: Float32Array, n: number, out: Float32Array) {
  const t = cuda.grid(1);
  const quads = n >> 2;
  let acc = 0;
  for (let q = t; q < quads; q += cuda.gridsize(1)) {
    const x = a[4 * q], y = a[4 * q + 1], z = a[4 * q + 2], w = a[4 * q + 3];
    acc += x - 2 * y + 3 * z - 4 * w;
  }
  if (t < n - 4 * quads) acc += a[4 * quads + t];
  out[t] = acc;
}

/** The same reads from an array the kernel also writes (no second binding is possible there). */
function quadSumsInPlace(a: Int32Array, n: number) {
  const q = cuda.grid(1);
  if (4 * q + 3 < n) {
    const x = a[4 * q], y = a[4 * q + 1], z = a[4 * q + 2], w = a[4 * q + 3];
    a[4 * q] = x + y + z + w;
  }
}

const webgpu = await targetAvailability('webgpu');
describe.skipIf(!webgpu.ok)(`vector loads on webgpu${webgpu.ok ? ` (${webgpu.device})` : ` (skipped: ${webgpu.reason})`}`, () => {
  const data = (n: number) => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 8 - 60);
  it('reads vec4s through a second binding of the buffer, only without bounds checks', async () => {
    const a = data(64), out = new Float32Array(8);
    const wgsl = await cuda.jit(quadSums, { target: 'webgpu', boundscheck: false }).inspect('wgsl', a, 64, out);
    expect(wgsl).toMatch(/var<storage, read> a_g4: array<vec4<f32>>/);
    expect(wgsl).toMatch(/= a_g4\[bitcast<u32>\(\(4i \* q_\d+\)\) >> 2u\];/);
    const checked = await cuda.jit(quadSums, { target: 'webgpu' }).inspect('wgsl', a, 64, out);
    expect(checked).not.toMatch(/vec4<f32>/);
  });

  it('gives the simulator\'s results on host and device arrays of every length mod 4', async () => {
    const k = cuda.jit(quadSums, { target: 'webgpu', boundscheck: false }).configure(2, 64);
    const ref = cuda.jit(quadSums, { target: 'sim', float: 'f32' }).configure(2, 64);
    for (const n of [4, 1001, 1002, 1003, 4096 + 4]) {
      const a = data(n);
      const want = new Float32Array(128), got = new Float32Array(128), gotDev = cuda.deviceArray(128, 'f32', { target: 'webgpu' });
      await ref(a, n, want);
      await k(a, n, got);
      await k(cuda.toDevice(a, { target: 'webgpu' }), n, gotDev);
      expect(Array.from(got), `n = ${n}, host array`).toEqual(Array.from(want));
      expect(Array.from(await gotDev.copyToHost()), `n = ${n}, device array`).toEqual(Array.from(want));
    }
  });

  it('an array the kernel writes is read element by element, with the same results', async () => {
    const k = cuda.jit(quadSumsInPlace, { target: 'webgpu', boundscheck: false });
    const a = Int32Array.from({ length: 103 }, (_, i) => i * i - 50);
    expect(await k.inspect('wgsl', a, 103)).not.toMatch(/vec4/);
    const want = a.slice();
    await cuda.jit(quadSumsInPlace, { target: 'sim' }).configure(1, 32)(want, 103);
    await k.configure(1, 32)(a, 103);
    expect(Array.from(a)).toEqual(Array.from(want));
  });

  it("reduce's pass 1 reads vec4s for f32, i32 and u32", async () => {
    const sum = reduce((a, b) => a + b, { target: 'webgpu' });
    for (const elem of ['f32', 'i32', 'u32'] as const) {
      expect(await sum.inspect('wgsl', elem, 'blocks')).toMatch(new RegExp(`array<vec4<${elem}>>`));
    }
  });
});

const ptxas = findPtxas();
describe.skipIf(!ptxas)(`vector loads in PTX${ptxas ? '' : ' (skipped: ptxas not found)'}`, () => {
  it("reduce's pass 1 and a boundscheck: false kernel use ld.global.v4; ptxas -arch=sm_90 accepts them", async () => {
    {
      const sum = reduce((a, b) => a + b, { target: 'cuda' });
      const a = new Float32Array(64), out = new Float32Array(8);
      const ptxs: [string, string, RegExp | undefined][] = [
        ['reduce-f32', await sum.inspect('ptx', 'f32', 'blocks'), /ld\.global\.v4\.f32\s+\{%f\d+, %f\d+, %f\d+, %f\d+\}, \[%rd\d+\];/],
        ['reduce-i32', await sum.inspect('ptx', 'i32', 'blocks'), /ld\.global\.v4\.u32\s/],
        ['reduce-u32', await sum.inspect('ptx', 'u32', 'blocks'), /ld\.global\.v4\.u32\s/],
        ['reduce-f64', await sum.inspect('ptx', 'f64', 'blocks'), undefined],
        ['kernel', await cuda.jit(quadSums, { target: 'cuda', boundscheck: false }).inspect('ptx', a, 64, out), /ld\.global\.v4\.f32\s/],
        ['kernel-checked', await cuda.jit(quadSums, { target: 'cuda' }).inspect('ptx', a, 64, out), undefined],
      ];
      for (const [name, ptx, v4] of ptxs) {
        if (v4) expect(ptx, name).toMatch(v4);
        else expect(ptx, name).not.toMatch(/ld\.global\.v4/);
        // The scalar fallback for a misaligned host view stays beside it.
        if (v4) expect(ptx, name).toMatch(/and\.b64\s+%rd\d+, %rd\d+, 15;/);
        assemblePtx(ptxas!, ptx, name);
      }
    }
  });
});

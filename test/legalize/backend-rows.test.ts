// The legalisation rules that replaced rows each backend used to write itself:
// cuda.umulhi without a 64-bit product, JS's float `%` as an fmod call, float
// atomic min/max as a compare-and-swap loop. Each: IR in → IR out, and the
// legalised IR run in the simulator gives exactly what the original gives.

import { describe, expect, it } from 'vitest';
import { legalize, printIR, simBackend, forEachStmt, stmtExprs, forEachExpr } from '@numbat/core';
import type { AtomicOp, BinaryOp, ElemType, Expr, KernelIR, ScalarType, Stmt } from '@numbat/core';

const tid: Expr = { kind: 'special', reg: 'threadIdx', dim: 0, type: 'i32' };
const load = (param: number, t: ScalarType): Expr => ({ kind: 'load', array: { space: 'global', param }, index: tid, type: t });
const bin = (op: BinaryOp, t: ScalarType, a: Expr, b: Expr): Expr => ({ kind: 'binary', op, opType: t, type: t, a, b });
const ARRAY = { i32: Int32Array, u32: Uint32Array, f32: Float32Array, f64: Float64Array, i8: Int8Array, u8: Uint8Array, i16: Int16Array, u16: Uint16Array } as const;

/** A kernel over three arrays (a, b, out) of the given element types. */
function kernel(name: string, elems: ElemType[], body: Stmt[], locals: ScalarType[] = []): KernelIR {
  return {
    name,
    params: elems.map((elem, i) => ({ name: 'abo'[i], type: { kind: 'array', elem }, written: i === 2, atomic: false })),
    locals: locals.map((type, id) => ({ id, name: `l${id}`, type })), arrays: [], body, float: 'f64', hasBarrier: false,
    source: { firstLine: 1, text: '' },
  };
}

/** out[i] = value(a[i], b[i]). */
const elementwise = (name: string, t: ScalarType & ElemType, value: (a: Expr, b: Expr) => Expr): KernelIR =>
  kernel(name, [t, t, t], [{ kind: 'store', array: { space: 'global', param: 2 }, index: tid, value: value(load(0, t), load(1, t)) }]);

async function runSim(ir: KernelIR, inputs: number[][], threads: number): Promise<number[][]> {
  const elems = ir.params.map((p) => (p.type as { elem: ElemType }).elem);
  const arrays = elems.map((e, i) => new ARRAY[e](inputs[i]));
  const k = await simBackend.compile(ir, { float: 'f64', boundscheck: true, fastmath: false, cache: false, cacheKey: '' });
  await simBackend.launch(k, { grid: [1, 1, 1], block: [threads, 1, 1], sharedMem: 0 },
    arrays.map((h, i) => ({ kind: 'array', elem: elems[i], length: h.length, host: h })));
  return arrays.map((a) => Array.from(a as ArrayLike<number>));
}

/** The original and its legalisation (nothing native) leave the same arrays, bit for bit (-0 and NaN included). */
async function agree(ir: KernelIR, inputs: number[][], threads = inputs[0].length): Promise<KernelIR> {
  const legal = legalize(ir);
  const want = await runSim(ir, inputs, threads), got = await runSim(legal, inputs, threads);
  want.forEach((w, a) => w.forEach((x, i) => {
    if (!Object.is(got[a][i], x)) throw new Error(`${ir.name}: array ${a}[${i}]: legalised ${got[a][i]}, original ${x} (inputs ${inputs.map((v) => v[i]).join(', ')})\n${printIR(legal)}`);
  }));
  return legal;
}

function pairs(as: number[], bs: number[]): [number[], number[]] {
  const a: number[] = [], b: number[] = [];
  for (const x of as) for (const y of bs) { a.push(x); b.push(y); }
  return [a, b];
}

/** Every expression of the kernel. */
function exprs(ir: KernelIR): Expr[] {
  const all: Expr[] = [];
  forEachStmt(ir.body, (s) => stmtExprs(s).forEach((root) => forEachExpr(root, (e) => { all.push(e); })));
  return all;
}

describe('legalisation: cuda.umulhi', () => {
  const UINTS = [0, 1, 2, 0xffff, 0x10000, 0x10001, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xd2511f53, 0xcd9e8d57, 0x12345678, 0xdeadbeef];
  const umulhi = elementwise('umulhi', 'u32', (x, y) => ({ kind: 'math', fn: 'umulhi', type: 'u32', args: [x, y] }));
  it('is 16-bit pieces in u32 arithmetic without the umulhi family, exact on edge and random operands', async () => {
    let seed = 7;
    const rnd = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
    const [a, b] = pairs(UINTS, UINTS);
    for (let k = 0; k < 300; k++) { a.push(rnd()); b.push(rnd()); }
    const legal = await agree(umulhi, [a, b, a.map(() => 0)]);
    const all = exprs(legal);
    expect(all.some((e) => e.kind === 'math')).toBe(false);
    expect(all.filter((e) => e.kind === 'binary').every((e) => e.kind === 'binary' && e.opType === 'u32' && ['add', 'sub', 'mul', 'ushr'].includes(e.op))).toBe(true);
    // The reference, as BigInts.
    const [, , out] = await runSim(legal, [a, b, a.map(() => 0)], a.length);
    out.forEach((v, i) => expect(v).toBe(Number((BigInt(a[i]) * BigInt(b[i])) >> 32n)));
  });
  it('stays one math call where the target declares it native (LLVM: a 64-bit multiply)', () => {
    expect(printIR(legalize(umulhi, ['umulhi']))).toBe(printIR(umulhi));
  });
});

describe('legalisation: float %', () => {
  const FLOATS = [0, -0, 0.5, -0.5, 1, -1, 2.5, -2.5, 3.7, -3.7, 1e20, -1e20, 2 ** 60 + 2 ** 8, 1e300, 5e-324, NaN, Infinity, -Infinity];
  for (const t of ['f32', 'f64'] as const) {
    it(`is a call of the exact fmod on ${t} without float-rem (x % ±Infinity is x, huge quotients exact)`, async () => {
      const rem = elementwise(`rem_${t}`, t, (x, y) => bin('rem', t, x, y));
      const [a, b] = pairs(FLOATS, FLOATS);
      const legal = await agree(rem, [a, b, a.map(() => 0)]);
      expect(printIR(legal)).toContain(`math.fmod.${t}(a[threadIdx.x], b[threadIdx.x])`);
      expect(exprs(legal).some((e) => e.kind === 'binary' && e.op === 'rem')).toBe(false);
      expect(printIR(legalize(rem, ['float-rem']))).toBe(printIR(rem));
    });
  }
  it('leaves integer % to the int-division rule', () => {
    const rem = elementwise('irem', 'i32', (x, y) => bin('rem', 'i32', x, y));
    expect(printIR(legalize(rem))).not.toContain('fmod');
  });
});

describe('legalisation: float atomic min/max', () => {
  const VALUES = [0, -0, 1, -1, 2.5, -2.5, NaN, Infinity, -Infinity, 1e-45, 3e38];
  /** old[i] = atomic op(acc[i], v[i]): one thread per (accumulator, operand) pair. */
  const atomicKernel = (op: AtomicOp, t: 'f32' | 'f64', asStatement: boolean): KernelIR => {
    const atomic: Expr = { kind: 'atomic', op, array: { space: 'global', param: 0 }, index: tid, value: load(1, t), type: t };
    const body: Stmt[] = asStatement ? [{ kind: 'expr', expr: atomic }]
      : [{ kind: 'assign', local: 0, value: atomic }, { kind: 'store', array: { space: 'global', param: 2 }, index: tid, value: { kind: 'local', id: 0, type: t } }];
    const ir = kernel(`atomic_${op}_${t}`, [t, t, t], body, [t]);
    ir.params[0].atomic = true; ir.params[0].written = true;
    return ir;
  };
  for (const t of ['f32', 'f64'] as const) {
    for (const op of ['min', 'max'] as const) {
      it(`${op} on ${t}: a cas loop with the old element and Math.${op}'s result (NaN, ±0, ±Infinity)`, async () => {
        const [acc, v] = pairs(VALUES, VALUES);
        const legal = await agree(atomicKernel(op, t, false), [acc, v, acc.map(() => 0)]);
        const atomics = exprs(legal).filter((e) => e.kind === 'atomic');
        expect(atomics.map((e) => e.kind === 'atomic' && e.op)).toEqual(['cas']);
        // with float-minmax lacking too, the loop's min/max is selects
        expect(exprs(legal).some((e) => e.kind === 'binary' && (e.op === 'min' || e.op === 'max'))).toBe(false);
        expect(exprs(legalize(atomicKernel(op, t, false), ['float-minmax'])).some((e) => e.kind === 'binary' && e.op === op)).toBe(true);
        expect(printIR(legalize(atomicKernel(op, t, false), ['atomic-float-minmax']))).toBe(printIR(atomicKernel(op, t, false)));
      });
    }
  }
  it('as a statement of its own (result unused) leaves only the loop', async () => {
    const [acc, v] = pairs(VALUES, VALUES);
    const legal = await agree(atomicKernel('max', 'f32', true), [acc, v, acc.map(() => 0)]);
    expect(legal.body.map((s) => s.kind)).toEqual(['assign', 'assign', 'loop']); // v = b[i]; o = acc[i]; the loop
  });
  it('every thread on one element: the maximum, and each thread sees an earlier value', async () => {
    // acc[0] = max over all threads of v[i]; out[i] = the old value thread i saw.
    const t = 'f32';
    const atomic: Expr = { kind: 'atomic', op: 'max', array: { space: 'global', param: 0 }, index: { kind: 'const', type: 'i32', value: 0 }, value: load(1, t), type: t };
    const ir = kernel('atomic_max_one', [t, t, t], [{ kind: 'store', array: { space: 'global', param: 2 }, index: tid, value: atomic }]);
    ir.params[0].atomic = true; ir.params[0].written = true;
    const v = [3, -0, 7, 0, 2, 9.5, -1, 9.5];
    await agree(ir, [[-Infinity], v, v.map(() => 0)], v.length);
    const [acc] = await runSim(legalize(ir), [[-Infinity], v, v.map(() => 0)], v.length);
    expect(acc[0]).toBe(9.5);
  });
});

describe('legalisation: 8/16-bit stores', () => {
  const INTS = [0, 1, -1, 127, 128, -128, -129, 255, 256, 32767, 32768, -32768, -32769, 65535, 65536, 2147483647, -2147483648, 0x12345678];
  for (const elem of ['i8', 'u8', 'i16', 'u16'] as const) {
    it(`a store into ${elem} gets its value wrapped into the element's range (i32 shifts or a mask) without narrow-store`, async () => {
      // out[i] = a[i] + b[i], out an ${elem} array.
      const ir = kernel(`store_${elem}`, ['i32', 'i32', elem], [{ kind: 'store', array: { space: 'global', param: 2 }, index: tid, value: bin('add', 'i32', load(0, 'i32'), load(1, 'i32')) }]);
      const legal = await agree(ir, [INTS, INTS.map((x, k) => (k % 3) - 1), INTS.map(() => 0)]);
      const store = legal.body[legal.body.length - 1] as Stmt & { kind: 'store' };
      expect(printIR(legal)).toMatch(elem.startsWith('u') ? /and\.i32\(add\.i32\(.*\), 255|and\.i32\(add\.i32\(.*\), 65535/ : /shr\.i32\(shl\.i32\(add\.i32\(/);
      expect(store.value.kind).toBe('binary');
      expect(printIR(legalize(ir, ['narrow-store']))).toBe(printIR(ir));
    });
  }
  it('leaves 32-bit and float stores alone', () => {
    const ir = elementwise('plain', 'i32', (x, y) => bin('add', 'i32', x, y));
    expect(printIR(legalize(ir))).toBe(printIR(ir));
  });
});

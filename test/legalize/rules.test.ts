// Legalisation rules (core/src/legalize): IR in → IR out, and the legalised IR
// run in the simulator gives exactly what the original gives, on the edge values
// (x / 0, INT_MIN / -1, NaN, ±0, ±Infinity, shift counts ≥ 32, values beyond 2^32).

import { describe, expect, it } from 'vitest';
import { legalize, printIR, simBackend, forEachStmt, stmtExprs, forEachExpr, NATIVE_OPS, rewriteKernel, verifyIR } from '@numbat/core';
import type { BinaryOp, ElemType, Expr, KernelIR, MathFn, ScalarType, Stmt } from '@numbat/core';

const tid: Expr = { kind: 'special', reg: 'threadIdx', dim: 0, type: 'i32' };
const load = (param: number, t: ScalarType): Expr => ({ kind: 'load', array: { space: 'global', param }, index: tid, type: t });
const COMPARE = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'];
const bin = (op: BinaryOp, t: ScalarType, a: Expr, b: Expr): Expr => ({ kind: 'binary', op, opType: t, type: COMPARE.includes(op) ? 'bool' : t, a, b });

/** out[i] = f(a[i], b[i]) for one thread per element. */
function kernelOf(name: string, inA: ElemType, inB: ElemType, out: ElemType, value: (a: Expr, b: Expr) => Expr): KernelIR {
  const loadT = (e: ElemType): ScalarType => (e === 'f32' || e === 'f64' || e === 'u32' ? e : 'i32');
  const body: Stmt[] = [{ kind: 'store', array: { space: 'global', param: 2 }, index: tid, value: value(load(0, loadT(inA)), load(1, loadT(inB))) }];
  return {
    name,
    params: [inA, inB, out].map((elem, i) => ({ name: 'abo'[i], type: { kind: 'array', elem }, written: i === 2, atomic: false })),
    locals: [], arrays: [], body, float: 'f64', hasBarrier: false, source: { firstLine: 1, text: '' },
  };
}

const ARRAY = { i32: Int32Array, u32: Uint32Array, f32: Float32Array, f64: Float64Array, i8: Int8Array, u8: Uint8Array, i16: Int16Array, u16: Uint16Array } as const;

async function runSim(ir: KernelIR, a: number[], b: number[]): Promise<number[]> {
  const elems = ir.params.map((p) => (p.type as { elem: ElemType }).elem);
  const arrays = [new ARRAY[elems[0]](a), new ARRAY[elems[1]](b), new ARRAY[elems[2]](a.length)];
  const k = await simBackend.compile(ir, { float: 'f64', boundscheck: true, fastmath: false, cache: false, cacheKey: '' });
  await simBackend.launch(k, { grid: [1, 1, 1], block: [a.length, 1, 1], sharedMem: 0 },
    arrays.map((h, i) => ({ kind: 'array', elem: elems[i], length: h.length, host: h })));
  return Array.from(arrays[2] as ArrayLike<number>);
}

/** Every pair (a, b) from the two value lists. */
function pairs(as: number[], bs: number[]): [number[], number[]] {
  const a: number[] = [], b: number[] = [];
  for (const x of as) for (const y of bs) { a.push(x); b.push(y); }
  return [a, b];
}

/** The original and its legalisation (nothing native) agree bit for bit, -0 and NaN included. */
async function agree(ir: KernelIR, a: number[], b: number[]): Promise<KernelIR> {
  const legal = legalize(ir);
  const want = await runSim(ir, a, b);
  const got = await runSim(legal, a, b);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) throw new Error(`${ir.name}(${a[i]}, ${b[i]}): legalised ${got[i]}, original ${want[i]}\n${printIR(legal)}`);
  }
  return legal;
}

const INTS = [0, 1, -1, 2, -2, 3, -3, 7, -7, 31, 32, 33, -32, 100, -100, 2147483647, -2147483648, -2147483647];
const UINTS = [0, 1, 2, 3, 7, 31, 32, 33, 100, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const FLOATS = [0, -0, 0.5, -0.5, 0.49999997, -0.49999997, 1, -1, 1.5, -1.5, 2.5, -2.5, 3.7, -3.7, NaN, Infinity, -Infinity,
  2 ** 31, -(2 ** 31), 2 ** 31 - 0.5, 2 ** 32, 2 ** 32 + 5, -(2 ** 32) - 5, 4294967295.5, 1e20, -1e20, 2 ** 53 + 2, 1e300, 5e-324];

/** The simple forms a backend may see after legalisation with nothing native. */
function checkSimple(ir: KernelIR): void {
  // A divisor is a constant other than 0 and -1, or select(…, 1, b) in place (not
  // through a local, which the CPU lane vectoriser leaves unwritten in inactive lanes).
  const safeDivisor = (d: Expr): boolean => {
    if (d.kind === 'const') return d.value !== 0 && d.value !== -1;
    return d.kind === 'select' && d.a.kind === 'const' && d.a.value === 1;
  };
  forEachStmt(ir.body, (s) => stmtExprs(s).forEach((root) => forEachExpr(root, (e) => {
    if (e.kind === 'binary' && (e.opType === 'i32' || e.opType === 'u32')) {
      expect(e.op).not.toBe('floordiv');
      if (e.op === 'truncdiv' || e.op === 'rem') expect(safeDivisor(e.b), printIR(ir)).toBe(true);
      if (e.op === 'shl' || e.op === 'shr' || e.op === 'ushr') {
        const n = e.b.kind === 'convert' ? e.b.x : e.b;
        expect(n.kind === 'const' ? Number(n.value) >= 0 && Number(n.value) <= 31 : n.kind === 'binary' && n.op === 'and', printIR(ir)).toBe(true);
      }
    }
    if (e.kind === 'binary' && (e.opType === 'f32' || e.opType === 'f64')) expect(['min', 'max']).not.toContain(e.op);
    if (e.kind === 'convert' && (e.x.type === 'f32' || e.x.type === 'f64')) expect(e.type === 'bool' || e.type === 'i32').toBe(false);
    if (e.kind === 'math') expect(['round', 'sign']).not.toContain(e.fn);
  })));
}

describe('legalisation: integer division', () => {
  for (const op of ['truncdiv', 'floordiv', 'rem'] as const) {
    it(`${op} on i32: x / 0, INT_MIN / -1, signs`, async () => {
      const [a, b] = pairs(INTS, INTS);
      checkSimple(await agree(kernelOf(op, 'i32', 'i32', 'i32', (x, y) => bin(op, 'i32', x, y)), a, b));
    });
    it(`${op} on u32`, async () => {
      const [a, b] = pairs(UINTS, UINTS);
      checkSimple(await agree(kernelOf(op, 'u32', 'u32', 'u32', (x, y) => bin(op, 'u32', x, y)), a, b));
    });
  }
  it('guards a variable divisor in place, and a constant one not at all', () => {
    const v = printIR(legalize(kernelOf('q', 'i32', 'i32', 'i32', (x, y) => bin('truncdiv', 'i32', x, y))));
    expect(v).toContain('truncdiv.i32(%0, select(select(eq.i32(%1, 0:i32), true:bool, eq.i32(%1, -1:i32)), 1:i32, %1))');
    const k = printIR(legalize(kernelOf('q2', 'i32', 'i32', 'i32', (x) => bin('truncdiv', 'i32', x, { kind: 'const', type: 'i32', value: 4 }))));
    expect(k).not.toContain('select');
    expect(k).toContain('truncdiv.i32(a[threadIdx.x], 4:i32)');
  });
  it('leaves them alone for a backend that renders them natively', () => {
    const ir = kernelOf('q', 'i32', 'i32', 'i32', (x, y) => bin('floordiv', 'i32', x, y));
    expect(printIR(legalize(ir, ['int-division']))).toBe(printIR(ir));
    expect(printIR(legalize(ir, NATIVE_OPS))).toBe(printIR(ir));
  });
});

describe('legalisation: shifts', () => {
  for (const op of ['shl', 'shr'] as const) {
    it(`${op} by counts beyond 31 and negative`, async () => {
      const [a, b] = pairs([1, -1, 5, -2147483648, 0x12345678], INTS);
      checkSimple(await agree(kernelOf(op, 'i32', 'i32', 'i32', (x, y) => bin(op, 'i32', x, y)), a, b));
    });
  }
  it('ushr by u32 counts beyond 31', async () => {
    const [a, b] = pairs([1, 0xffffffff, 0x80000000, 12345], UINTS);
    checkSimple(await agree(kernelOf('ushr', 'u32', 'u32', 'u32', (x, y) => bin('ushr', 'u32', x, y)), a, b));
  });
  it('masks a constant count at compile time', () => {
    const v = printIR(legalize(kernelOf('s', 'i32', 'i32', 'i32', (x) => bin('shl', 'i32', x, { kind: 'const', type: 'i32', value: 33 }))));
    expect(v).toContain('shl.i32(a[threadIdx.x], 1:i32)');
  });
});

describe('legalisation: floats', () => {
  for (const t of ['f32', 'f64'] as const) {
    for (const op of ['min', 'max'] as const) {
      it(`Math.${op} on ${t}: NaN, ±0, ±Infinity`, async () => {
        const [a, b] = pairs(FLOATS, FLOATS);
        checkSimple(await agree(kernelOf(op, t, t, t, (x, y) => bin(op, t, x, y)), a, b));
      });
    }
    for (const op of ['min', 'max'] as const) {
      it(`Math.${op} on ${t} with a constant operand (folded test): NaN, ±0, ±Infinity`, async () => {
        for (const c of [0, -0, 1.5, -2.5, Infinity, NaN]) {
          const k: Expr = { kind: 'const', type: t, value: c };
          for (const [name, value] of [['left', (x: Expr) => bin(op, t, k, x)], ['right', (x: Expr) => bin(op, t, x, k)]] as const) {
            const legal = await agree(kernelOf(`${op}_${name}`, t, t, t, value), FLOATS, FLOATS);
            checkSimple(legal);
            // a zero constant needs no equality test at all: two compares, two selects and the sum for ±0/NaN
            if (c === 0 && !Object.is(c, -0)) expect(printIR(legal)).not.toMatch(/eq\./);
          }
        }
      });
    }
    for (const to of ['i32', 'u32'] as const) {
      it(`${t} → ${to} is ToInt32/ToUint32: NaN, ±Infinity, beyond 2^32, negative`, async () => {
        checkSimple(await agree(kernelOf(`to${to}`, t, t, to, (x) => ({ kind: 'convert', type: to, x })), FLOATS, FLOATS));
      });
    }
    it(`${t} → bool is truthiness: ±0 and NaN are false`, async () => {
      const value = (x: Expr): Expr => ({ kind: 'convert', type: 'i32', x: { kind: 'convert', type: 'bool', x } });
      checkSimple(await agree(kernelOf('truthy', t, t, 'i32', value), FLOATS, FLOATS));
    });
    for (const fn of ['round', 'sign'] as const) {
      it(`Math.${fn} on ${t}: halves, -0, NaN`, async () => {
        const value = (x: Expr): Expr => ({ kind: 'math', fn: fn as MathFn, type: t, args: [x] });
        checkSimple(await agree(kernelOf(fn, t, t, t, value), FLOATS, FLOATS));
      });
    }
    it(`Math.pow on ${t}: x ** NaN, (±1) ** ±Infinity`, async () => {
      const [a, b] = pairs([1, -1, 2, 0.5, NaN, 0, -0, Infinity], [NaN, Infinity, -Infinity, 0, 2, -1, 0.5]);
      const legal = await agree(kernelOf('pow', t, t, t, (x, y) => ({ kind: 'math', fn: 'pow', type: t, args: [x, y] })), a, b);
      // f32: the target's pow behind JS's NaN cases; f64: core's library (V8's pow), no call left
      if (t === 'f32') expect(printIR(legal)).toContain('math.pow.f32(');
      else expect(printIR(legal)).not.toContain('math.pow.f64(');
    });
  }
  it("f64 calls marked ulp (the random library's) keep the target's own exp/log/sin/cos only where it declares 'math-f64-ulp'", () => {
    const call = (fn: MathFn, ulp: boolean) => kernelOf(`ulp_${fn}`, 'f64', 'f64', 'f64', (x) => ({ kind: 'math', fn, type: 'f64', args: [x], ...(ulp ? { ulp: true as const } : {}) }));
    const withUlp = NATIVE_OPS.filter((o) => o !== 'math-f64-v8'), without = withUlp.filter((o) => o !== 'math-f64-ulp');
    for (const fn of ['exp', 'log', 'sin', 'cos'] as MathFn[]) {
      expect(printIR(legalize(call(fn, true), withUlp))).toContain(`math.${fn}.ulp.f64(`);
      expect(printIR(legalize(call(fn, true), without))).not.toContain(`math.${fn}`); // V8's bits: core's library
      expect(printIR(legalize(call(fn, false), withUlp))).not.toContain(`math.${fn}`); // a user's call: V8's bits
    }
    // functions the capability does not cover get V8's bits even when marked
    expect(printIR(legalize(call('tan', true), withUlp))).not.toContain('math.tan');
  });

  it('Math.sign on i32 and u32', async () => {
    const value = (t: ScalarType) => (x: Expr): Expr => ({ kind: 'math', fn: 'sign', type: t, args: [x] });
    checkSimple(await agree(kernelOf('isign', 'i32', 'i32', 'i32', value('i32')), INTS, INTS));
    checkSimple(await agree(kernelOf('usign', 'u32', 'u32', 'u32', value('u32')), UINTS, UINTS));
  });
});

describe('legalisation: evaluation order', () => {
  it('lifts a lazy operand that needs a shared value into an if, so it still runs only when JS runs it', async () => {
    // out[i] = b[i] != 0 && (a[i] / b[i] | 0) > 1: the division must not run (hoisted) when b[i] is 0… nor its load when out of bounds.
    const value = (x: Expr, y: Expr): Expr => ({ kind: 'convert', type: 'i32', x: { kind: 'logical', op: 'and', type: 'bool',
      a: bin('ne', 'i32', y, { kind: 'const', type: 'i32', value: 0 }),
      b: bin('gt', 'i32', bin('truncdiv', 'i32', x, y), { kind: 'const', type: 'i32', value: 1 }) } });
    const [a, b] = pairs(INTS, INTS);
    const legal = await agree(kernelOf('lazy', 'i32', 'i32', 'i32', value), a, b);
    // t = b[i] != 0; if (t) { a[i] and b[i] into locals; t = … > 1 }; out[i] = i32(t)
    expect(legal.body.map((s) => s.kind)).toEqual(['assign', 'if', 'store']);
    const lifted = legal.body[1] as Stmt & { kind: 'if' };
    expect(lifted.then.map((s) => s.kind)).toEqual(['assign', 'assign', 'assign']);
    expect(lifted.else).toEqual([]);
    checkSimple(legal);
  });
  it('keeps a lazy operand in place when it needs nothing shared', () => {
    // b[i] != 0 && a[i] / 5 > 1: a constant divisor needs no guard.
    const value = (x: Expr, y: Expr): Expr => ({ kind: 'convert', type: 'i32', x: { kind: 'logical', op: 'and', type: 'bool',
      a: bin('ne', 'i32', y, { kind: 'const', type: 'i32', value: 0 }),
      b: bin('gt', 'i32', bin('truncdiv', 'i32', x, { kind: 'const', type: 'i32', value: 5 }), { kind: 'const', type: 'i32', value: 1 }) } });
    const legal = legalize(kernelOf('lazyconst', 'i32', 'i32', 'i32', value));
    expect(legal.body.length).toBe(1);
    expect(legal.locals.length).toBe(0);
  });
  it('moves a loop condition that needs a shared value into the body, before an exit', async () => {
    // while (floor(k / b[i]) < 3) k++; while (j < 50 && floor(j / b[i]) < 2) { j++; continue }; out[i] = k * 100 + j.
    const ir = kernelOf('loopcond', 'i32', 'i32', 'i32', (x) => x);
    ir.locals.push({ id: 0, name: 'k', type: 'i32' }, { id: 1, name: 'j', type: 'i32' });
    const v = (id: number): Expr => ({ kind: 'local', id, type: 'i32' });
    const c = (n: number): Expr => ({ kind: 'const', type: 'i32', value: n });
    const step = (id: number): Stmt[] => [{ kind: 'assign', local: id, value: bin('add', 'i32', v(id), c(1)) }];
    const cond: Expr = { kind: 'logical', op: 'and', type: 'bool', a: bin('lt', 'i32', v(1), c(50)), b: bin('lt', 'i32', bin('floordiv', 'i32', v(1), load(1, 'i32')), c(2)) };
    ir.body = [{ kind: 'loop', cond: bin('lt', 'i32', bin('floordiv', 'i32', v(0), load(1, 'i32')), c(3)), body: [], update: step(0) },
      { kind: 'loop', cond, body: [{ kind: 'continue' }], update: step(1) },
      { kind: 'store', array: { space: 'global', param: 2 }, index: tid, value: bin('add', 'i32', bin('mul', 'i32', v(0), c(100)), v(1)) }];
    const legal = await agree(ir, [0, 0, 0, 0], [1, 2, 7, 3]);
    expect(await runSim(ir, [0, 0, 0, 0], [1, 2, 7, 3])).toEqual([302, 604, 2114, 906]);
    expect(legal.body.map((s) => s.kind)).toEqual(['loop', 'loop', 'store']);
    for (const [n, l] of (legal.body.slice(0, 2) as (Stmt & { kind: 'loop' })[]).entries()) {
      expect(l.cond).toBeUndefined();
      expect(l.body[l.body.length - 1].kind).toBe(n === 0 ? 'if' : 'continue'); // the loop's own body follows the exit
      const exit = l.body[l.body.length - 1 - n] as Stmt & { kind: 'if' };
      expect(exit.then.map((s) => s.kind)).toEqual(['break']);
    }
    checkSimple(legal);
  });
  it('leaves the original IR untouched', () => {
    const ir = kernelOf('keep', 'f32', 'f32', 'f32', (x, y) => bin('min', 'f32', x, y));
    const before = printIR(ir);
    legalize(ir);
    expect(printIR(ir)).toBe(before);
  });
});

describe('legalisation: the result is a tree of linear size', () => {
  /** Every node, counted as a walk of the IR as a tree does (a node reached twice counts twice). */
  const size = (ir: KernelIR): number => {
    let n = 0;
    forEachStmt(ir.body, (s) => { n++; stmtExprs(s).forEach((e) => forEachExpr(e, () => { n++; })); });
    return n;
  };
  const c = (t: ScalarType, v: number): Expr => ({ kind: 'const', type: t, value: v });
  /** 20 levels of `tid < k ? a[i] : Math.round(… * 1.5)`, a truthiness under `&&`, and an integer division in a ?: arm (the input is a tree). */
  const nested = (levels: number, op: 'cond' | 'and' | 'div'): KernelIR => kernelOf(`nested_${op}`, 'f64', 'i32', 'f64', (x, y) => {
    let e: Expr = op === 'div' ? y : x;
    for (let k = 0; k < levels; k++) {
      const small = bin('lt', 'i32', tid, c('i32', k));
      if (op === 'cond') e = { kind: 'cond', type: 'f64', c: small, a: load(0, 'f64'), b: { kind: 'math', fn: 'round', type: 'f64', args: [bin('mul', 'f64', e, c('f64', 1.5))] } };
      if (op === 'div') e = { kind: 'cond', type: 'i32', c: small, a: load(1, 'i32'), b: bin('truncdiv', 'i32', c('i32', 1000), bin('add', 'i32', e, c('i32', 1))) };
      if (op === 'and') {
        const truthy: Expr = { kind: 'convert', type: 'bool', x: bin('mul', 'f64', e, c('f64', 0.5)) };
        e = { kind: 'cond', type: 'f64', c: { kind: 'logical', op: 'and', type: 'bool', a: small, b: truthy }, a: bin('add', 'f64', load(0, 'f64'), c('f64', 1)), b: load(0, 'f64') };
      }
    }
    return op === 'div' ? { kind: 'convert', type: 'f64', x: e } : e;
  });
  for (const op of ['cond', 'and', 'div'] as const) {
    it(`20 nested levels (${op}) stay linear and agree with the original`, async () => {
      const small = legalize(nested(2, op)), big = legalize(nested(20, op));
      expect(size(big)).toBeLessThan(1000); // it was 3^20 and more before lazy operands were lifted
      // Each level adds the same few nodes: linear growth.
      expect(size(big) - size(legalize(nested(19, op)))).toBe(size(legalize(nested(3, op))) - size(small));
      verifyIR(big);
      await agree(nested(12, op), [1.25, -0.5, 2.5, 0, NaN, 3.75, -7.5, 1e9, 0.5, -0.25, 11, 12.5, 13, 14, 15], [3, 0, -1, 7, 2, 5, -1001, 999, 1, 0, 4, 9, -3, 6, 8]);
    });
  }
  it('the verifier refuses an expression reached twice', () => {
    const ir = kernelOf('dag', 'f64', 'f64', 'f64', (x, y) => bin('add', 'f64', x, y));
    // A rule that uses its operand twice without share(): a DAG.
    rewriteKernel(ir, (e) => (e.kind === 'binary' && e.op === 'add' ? bin('mul', 'f64', e.a, e.a) : undefined));
    expect(() => verifyIR(ir)).toThrow(/numbat internal error: invalid IR in kernel 'dag': a load expression is used twice/);
    // Leaves may repeat: x * x of a local is a tree.
    const ok = kernelOf('leaves', 'f64', 'f64', 'f64', () => { const t: Expr = { kind: 'param', index: 0, type: 'f64' }; return bin('mul', 'f64', t, t); });
    ok.params[0] = { name: 's', type: { kind: 'scalar', type: 'f64' }, written: false, atomic: false };
    expect(() => verifyIR(ok)).not.toThrow();
  });
});

describe('legalize leaves its input as it was', () => {
  it('the arrays a rule adds (the f64 sin reduction table) are in the output only; legalising again gives the same IR', () => {
    const ir = kernelOf('sin_f64', 'f64', 'f64', 'f64', (a) => ({ kind: 'math', fn: 'sin', args: [a], type: 'f64' }));
    const before = printIR(ir);
    const out = legalize(ir);
    expect(out.arrays.some((a) => a.space === 'const' && a.name === 'two_over_pi')).toBe(true);
    expect(ir.arrays).toEqual([]);
    expect(printIR(ir)).toBe(before);
    expect(printIR(legalize(ir))).toBe(printIR(out));
  });
});

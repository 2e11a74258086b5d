// Seeded generator of random VALID kernels (Csmith style) for the differential fuzzer.
//
// A program is a tree of nodes so that the reducer can delete statements and replace
// expressions by a leaf of the same type:
//   expression: { e: type, parts: [string | node], tag }    statement: { s: true, parts, tag }
//   block:      { b: true, stmts: [statement] }
// Validity by construction: every index is masked into range (arrays are 16 long, or
// the block size for shared memory), every loop has a constant or masked small trip count,
// barriers sit only at the top level of the kernel before any early return, integer `%` and
// `Math.trunc/floor(a / b)` get a divisor >= 1, atomics are statements (their old value is
// order-dependent), and each thread writes only its own output slots.
//
// Types: i32, u32, bool, F (the default float: f64 on sim/cpu, f32 on webgpu), and f32 in
// f32 kernels. A kernel is of one of three kinds:
//   'f64': float arrays are Float64Array (F); runs on sim and cpu (webgpu refuses f64).
//   'f32': float arrays are Float32Array, f32 locals and arithmetic; runs everywhere.
//   'exact' : an f64 kernel restricted to JavaScript's exact meaning (integer + - * and
//            negation wrapped by `| 0` / `>>> 0`, no f32, no inexact Math, no poly device
//            calls at int types): also compared with the function run as plain JavaScript.

import { cuda as hostCuda, random } from '@numbat/core';

export const ARRAY_LEN = 16;
export const SLOTS = 4;

// Construct families that can be switched off (`--exclude a,b`), each with the bugs of
// issue 11 it can reach.
export const FAMILIES = {
  'eval-order': 'side effects (x++, --x, element ++) inside call arguments and stores (issue 11 bug 1)',
  'dev-poly': 'one device function called at several argument types (bug 2)',
  'dev-same-names': 'device functions with same-named locals (bug 3)',
  'late-typed': 'locals declared without a value and assigned later (bug 4)',
  'u32-const': 'constant u32 expressions such as `(2 >>> 0)` (were refused, typed i32; found by this fuzzer)',
  'dev-result': 'device function results used bare next to a u32 operand, device functions returning u32 or a constant (were refused, typed i32; found by this fuzzer)',
  'lane-linear': 'compound element stores and ++/-- and float compound assignment inside loops, loops in device functions (issue 11 bug 7 on cpu)',
  'div-zero': 'float division by a zero known at compile time in f32 kernels (issue 11 bug 8 on webgpu)',
  'effect-in-expr': "atomics on the thread's own output slot used as values inside expressions (bug 5)",
  'trig': 'Math.sin/cos/tan (bug 9; arguments kept below 1000)',
  'hyperbolic': 'Math.sinh/cosh/tanh/asinh/acosh/atanh (bug 10)',
  'bool-compare': 'ordered comparisons of booleans (bug 11)',
  'data-loops': 'loops bounded by a global array element (bug 12)',
  'pow': 'Math.pow and ** (bug 13)',
  'shared': 'shared arrays and barriers',
  'atomics': 'atomic add/sub/min/max/and/or/xor statements',
  'local-arrays': 'per-thread local arrays',
  'grid2': 'two-dimensional grids (cuda.grid(2))',
  'early-return': 'early return after the last barrier',
  'device-fns': 'device functions',
  'inexact-math': 'exp/log/cbrt/atan/... results (compared with a relative bound)',
  'warp': 'warp functions (shfl_sync & co, votes, ballot, match_any, activemask, lanemask_lt): at the top level with full masks, under ifs on the lane with the masks of the lanes each arm holds (nested too), in loops with a thread-dependent trip count (activemask() masks, break/continue after them); or after `if (i >= n) return;` with activemask() masks; cuda.laneid anywhere (not JS-checked)',
  'sync-reduce': 'cuda.syncthreads_count/and/or at the top level before any early return (not JS-checked)',
  'atomics-new': "atomic inc/dec/nanmin/nanmax/cas/compare_and_swap on the thread's own slot as values; nanmin/nanmax, inc/dec (v = 2^32 - 1: +1/-1 mod 2^32) on the shared accumulators",
  'math-new': 'cuda.copysign/nextafter/remainder/ldexp/fma (fma not in f32 kernels: webgpu refuses it), const [m, e] = cuda.frexp(x)',
  'math-erf': 'cuda.erf/erfc/gamma/lgamma in f64 and f32 kernels (f32 on webgpu: core\'s f32 library; compared with a relative bound)',
  'number-tests': 'Number.isNaN/isFinite, isNaN/isFinite of numbers and booleans',
  'views': 'subarray views: reads through a view of an input, stores through views (and views of views) of the own output slots',
  'for-of': 'for (const x of arr) over inputs, views and local arrays',
  'range': 'for (const q of cuda.range(...)) with 1-3 arguments, i32 or u32 bounds, negative steps',
  'narrow': 'i8()/u8()/i16()/u16() conversions',
  'dev-tuple': 'device functions returning [a, b], destructured at the call',
  'random': "Philox draws from per-thread states (`st`): random.uint32, uniformF32 and (f64 kernels) uniformF64 as values anywhere (conditions, device functions, which get the states and i as two more parameters, short-circuit and ?: operands, indices, compound assignments, shared phases), normalF32 (f32 kernels) or normalF64 (f64 kernels) stored to oX; the final states compared too (a kept Box-Muller partner as a normal); not JS-checked; drawn from their own random stream",
  'i64': '64-bit integers (BigInt): i64 and u64 locals, BigInt64Array input and output, + - * / % & | ^ ~ << >> (counts past 63 and negative), wrapped with BigInt.asIntN/asUintN in JS-exact kernels, divisions by zero elsewhere, conversions BigInt()/i64()/u64()/Number()/f64() and back (i32(), u32(), BigInt.asIntN(32, …)), comparisons, BigInt indices, atomics on the own BigInt64Array slots, shuffles and match_any_sync of i64/u64 in warp kernels; drawn from their own random stream; skipped on targets without 64-bit integers (webgpu)',
  'narrow-arrays': 'Int8Array and Uint16Array arguments: loads of an Int8Array input, stores and compound stores (++, +=, |=) of i32, u32 and float values into the own slots of Int8Array and Uint16Array outputs (wrapping as JS stores do; on webgpu four bytes share a u32 word written by other threads); drawn from their own random stream',
  'cuda-api': 'cuda.threadIdx/blockIdx/blockDim/gridDim and cuda.gridsize(1) as values (in device functions too), the bit intrinsics cuda.popc/clz/ffs/brev on 32- and 64-bit integers, match_all_sync in warp kernels, a 2-D local array, float atomics add/sub/min/max/exch/cas on the own oF slots (statements and values); drawn from their own random stream',
  'shared-atomics': "atomics of one commuting class on an 8-element i32 or u32 shared array (1-D, 2-D [2][4] with [y, x] indices, 3-D [2][2][2], or dynamic shared memory sized by the launch's sharedMem), some under thread-dependent ifs, between barriers; every thread reads one element after the last; drawn from their own random stream",
  'grid-sync': "a grid barrier (cuda.cg.this_grid().sync(), or through a const) around a read of another thread's oI slot (often in the other block), and threadfence/threadfence_block/threadfence_system statements; 1-D grids; drawn from their own random stream; refused on webgpu (skipped there)",
  'block-shapes': "1-D blocks of 8, 13, 24, 40, 48, 64 or 96 threads (the grid covering the 64 threads, the guard returning the rest) in kernels without barriers or warp functions: remainders of cpu's lane groups; drawn from their own random stream",
  'retry-loops': "a counted loop around a retry loop (`for (;;)` left by a `break`, or `do … while`) that ends on a thread-dependent test (a rejection sampler's shape, a random draw in the test where the kernel draws) or a trip limit, with a `continue` inside and statements before and after it (the cpu flattens it into one loop: core's flattenRetryLoops); drawn from their own random stream",
  'local-array-rows': "a local array of 8 i32 or u32 filled at a loop counter up to a trip count read from an input, added to under a thread-dependent if, read in a triangular loop nest, then written and read at per-lane indices (the cpu's lane groups keep it in rows of vectors); drawn from their own random stream",
  'kept-phases': "one to three cuda.syncthreads() at the top level with random statements between them (loops, ifs, break/continue, stores, draws), so locals live across barriers (the cpu keeps a slot per thread, held in registers by its lane groups), each phase starting with an update of an i32 local and in f64 kernels often a sin/cos/tan whose argument is 1e22 in some threads (the f64 library's rare huge-argument arm, after which a cpu lane group reruns its region thread by thread); drawn from their own random stream",
  'shared-tree': "a tree reduction over a shared array of the block's size (one element per thread, i32 or float, +, min, max or ^), halving ranges (`if (t < ts)`, t + ts read: regions over the first ts threads) or interleaved pairs (`if ((t & (2 * ts - 1)) === 0)`), a barrier per level, every thread adding element 0 to a local after the last; drawn from their own random stream",
  'draw-loops': "in kernels that draw (the random family): a thread-dependent number of words drawn first, or one draw under a thread-dependent `if` (threads of a cpu lane group then stand at different places in their Philox blocks), in the loops' region or before a barrier, then loops whose every trip draws the same words (uint32, uniformF32, uniformF64 or a normal, one or two kinds), summed into locals, a normal stored to oX, now and then a thread-dependent `continue` or a draw under a thread-dependent `if`: the loops the cpu runs in whole Philox blocks with a lookahead block per thread (core's blockDrawLoops, lookaheadDraws); drawn from their own random stream",
  'barrier-loops': 'loops with cuda.syncthreads() whose exit reads a shared value (counted down by thread 0 inside the loop, or a bound read from shared memory), then cuda.range with break around a do…while (issue 11: llvmpipe ran such loops wrong in 4 x 4 blocks; drawn from their own random stream, so kernels without them are unchanged)',
};

export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INT_VALUES = [0, 1, -1, 2, 3, 7, -8, 100, 65535, 65536, 2147483647, -2147483648, 1073741824, -123456, 46341, 12345678];
const U32_VALUES = [0, 1, 2, 3, 255, 4294967295, 2147483648, 2147483647, 65536, 3000000000, 16, 99];
const F_VALUES = [0, -0, 0.5, -1.5, 1, 3.25, 1e-7, 1e10, -1e20, 2.5e-310, 0.1, 123.456, 16777217, 1e300, Infinity, -Infinity, NaN, 2147483648.5];
const F_LITERALS = ['0.5', '1.5', '2', '0.1', '3', '1e-3', '1e8', '0.25', '7', '1e30', '65536', '2.5'];
const I_LITERALS = ['0', '1', '2', '3', '5', '7', '31', '100', '255', '65535', '2147483647', '1000000'];
const I64_VALUES = [0n, 1n, -1n, 2n, 7n, -8n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 32n, 2n ** 32n - 1n, -123456789012345n, 1000000007n, 2n ** 31n, -(2n ** 31n) - 1n, 3n ** 39n, 65536n];
const I64_LITERALS = ['0n', '1n', '(-1n)', '2n', '3n', '7n', '(-8n)', '63n', '64n', '0x7fffffffffffffffn', '(-0x7fffffffffffffffn - 1n)', '4294967296n', '0xffffffffn', '(-123456789012345n)', '1000000007n'];
const U64_LITERALS = ['0xffffffffffffffffn', '0x8000000000000000n', '18446744073709551557n'];

/** Generates one kernel program from a seed. */
export function generate(seed, { exclude = [], kinds = null } = {}) {
  const rnd = mulberry32(seed);
  const off = new Set(exclude);
  const on = (f) => !off.has(f);
  const r = (n) => Math.floor(rnd() * n);
  const pick = (a) => a[r(a.length)];
  const chance = (p) => rnd() < p;

  // kinds narrows the float kinds (e.g. ['f32'] for a webgpu-only run, where f64 kernels are skipped).
  const kind = pick(kinds ?? ['exact', 'exact', 'f64', 'f32', 'f32']);
  const exact = kind === 'exact';
  const hasF32 = kind === 'f32';
  const grid2 = on('grid2') && chance(0.3);
  const useShared = on('shared') && chance(0.35);
  const coverage = new Set([`kind:${kind}`]);
  const cov = (c) => coverage.add(c);
  if (grid2) cov('cuda.grid(2)');

  // Scope: typed locals, loop counters (read-only), device functions.
  const locals = { i32: [], u32: [], bool: [], F: [], f32: [], i64: [], u64: [] };
  const counters = [];
  let nameId = 0;
  const fresh = (p) => `${p}${nameId++}`;
  let sharedReady = false; // shared array readable (after the first barrier)
  let sharedTy = null;
  let localArr = null; // { name, ty }
  const devFns = []; // { name, params: [ty], ret, poly, node }
  let inDevice = null; // device function being generated: { params: [{name, ty}] }
  let hasEffects = false; // a statement-level side effect inside expressions (eval-order family)
  const ro = { i32: [], u32: [], F: [], f32: [] }; // read-only loop variables (for-of, cuda.range)
  let inView = null; // a view of inI readable in the kernel ('views')
  let notJS = false; // uses warp functions or reducing barriers: no plain-JS run
  // Random draws: decided by their own stream, so that kernels of seeds without them stay the same.
  const useRandom = on('random') && mulberry32(seed ^ 0x27d4eb2f)() < 0.3;
  if (useRandom) { notJS = true; coverage.add('random draws'); }
  // 64-bit integers: their own stream too. In JS-exact kernels every i64/u64 operation that can
  // leave 64 bits is wrapped (BigInt.asIntN/asUintN: numbat wraps each intermediate result, JS's
  // BigInts do not) and divisors are odd (JS throws on 0n; numbat gives 0n).
  // Rarer in f32 kernels: webgpu, which runs only those, skips 64-bit integers.
  const useI64 = on('i64') && mulberry32(seed ^ 0x3c6ef372)() < (hasF32 ? 0.1 : 0.3);
  if (useI64) coverage.add('64-bit integers');
  // Int8Array / Uint16Array arguments: their own stream too.
  const narrowArrays = on('narrow-arrays') && mulberry32(seed ^ 0x85ebca6b)() < 0.3;
  if (narrowArrays) coverage.add('narrow arrays');
  // Random statements between barriers (kept-phases): their own stream too; in their f64
  // kernels some sin/cos/tan arguments are huge (hugeTrig, inexactStmt).
  const rk = mulberry32(seed ^ 0x61c88647);
  const keptPhases = on('kept-phases') && rk() < 0.2 ? 1 + Math.floor(rk() * 3) : 0;
  const hugeTrig = keptPhases > 0 && kind === 'f64';
  // Loops of draws (draw-loops): its own stream too, in kernels that draw.
  const rd = mulberry32(seed ^ 0x94d049bb);
  const drawLoops = useRandom && on('draw-loops') && rd() < 0.5;
  // Six in ten of them between two barriers: the loops a region of their own, within the cpu's lane
  // budget for Philox blocks (a kernel's other draws in the same region take it over).
  const drawBarriers = drawLoops && rd() < 0.6;
  // And seven in ten of those a lean kernel: its locals, the draws and the loops, the epilogue (the
  // cpu draws in blocks only where every region with blocks is within its lane budget: a region of
  // random statements with a loop of draws is not).
  const drawLean = drawBarriers && rd() < 0.7;
  // A shared-memory tree reduction (shared-tree): its own stream too.
  const rt = mulberry32(seed ^ 0x7f4a7c15);
  const sharedTree = on('shared-tree') && rt() < 0.2;
  // More of the CUDA API: its own stream too.
  const useApi = on('cuda-api') && mulberry32(seed ^ 0x1b873593)() < 0.35;
  // Atomics on a shared array, read after a barrier: their own stream too.
  const ras = mulberry32(seed ^ 0x68e31da4);
  const sharedAtomics = on('shared-atomics') && ras() < 0.3;
  let dynShared = 0; // bytes of dynamic shared memory the launch gives (the shared-atomics array, shape 0)
  // A grid barrier and memory fences: their own stream too. 1-D grids only (2 blocks: a cpu
  // launch holds one block per worker thread, two on a 2-core machine).
  const rgs = mulberry32(seed ^ 0xcc9e2d51);
  const gridSync = on('grid-sync') && !grid2 && rgs() < 0.15;
  let local2 = false; // a 2-D local array `lb` ([2][4] of i32)
  /** A draw of type `ty` by this thread from its own stream (in a device function, from the states and i it was passed). */
  const draw = (ty) => {
    const f = ty === 'u32' || ty === 'i32' ? 'uint32' : ty === 'F' && !hasF32 && chance(0.5) ? 'uniformF64' : 'uniformF32';
    cov(`random.${f}`);
    const call = inDevice ? `random.${f}(ds, di)` : `random.${f}(st, i)`;
    if (ty === 'i32') return E('i32', `(${call} | 0)`);
    if (ty === 'bool') return E('bool', `(${call} < 0.5)`);
    // An f32 draw as F in an f64 kernel is widened: bare, the f32 would make an inexact Math
    // function of it f32 (numbat's typing, as numba's), a few ulp apart across targets, beyond
    // oX's f64 bound (fuzz seeds 34000995, 34001217, 34001362: atan2 and erfc 1 ulp apart in f32).
    if (ty === 'F' && !hasF32 && f === 'uniformF32') return E('F', `f64(${call})`);
    return E(ty, call);
  };

  const E = (ty, ...parts) => ({ e: ty, parts });
  const S = (...parts) => ({ s: true, parts });
  const B = (stmts) => ({ b: true, stmts });

  const wrapI = (x) => E('i32', '(', x, ' | 0)');
  const wrapU = (x) => E('u32', '(', x, ' >>> 0)');
  const asI64 = (x) => (x.e === 'u64' ? E('i64', 'BigInt.asIntN(64, ', x, ')') : x);
  const idx = (len) => {
    // An index in [0, len): any integer expression masked (len is a power of two).
    const t = pick(['i32', 'i32', 'u32', 'F', ...(useI64 ? ['i64'] : [])]);
    if (t === 'F') return E('i32', '((', gen('F', 1), ' | 0) & ', String(len - 1), ')');
    if (t === 'i64') { cov('BigInt index'); return E('i32', '(', gen('i64', 1), ` & ${len - 1}n)`); }
    return E('i32', '(', gen(t, 1), ' & ', String(len - 1), ')');
  };
  const posDivisor = (ty) => ty === 'u32'
    ? E('u32', '(((', gen('u32', 2), ' & 7) + 1) >>> 0)')
    : E('i32', '((', gen('i32', 2), ' & 7) + 1)');

  function leaf(ty) {
    const opts = [];
    const vars = inDevice ? [...inDevice.locals[ty] ?? [], ...inDevice.params.filter((p) => p.ty === ty).map((p) => p.name)] : [...locals[ty], ...(ro[ty] ?? [])];
    for (const v of vars) opts.push(() => E(ty, v));
    if (useRandom && ty !== 'i64' && ty !== 'u64') opts.push(() => draw(ty));
    if (useApi && ty === 'i32') opts.push(() => {
      const v = pick(['cuda.threadIdx', 'cuda.blockIdx', 'cuda.blockDim', 'cuda.gridDim', 'cuda.gridsize(1)']);
      cov(`${v} as a value`);
      return E('i32', v === 'cuda.gridsize(1)' ? v : `${v}.${grid2 ? pick(['x', 'y']) : 'x'}`);
    });
    if (narrowArrays && ty === 'i32' && !inDevice) opts.push(() => { cov('Int8Array load'); return E('i32', 'inB[', idx(ARRAY_LEN), ']'); });
    if (useApi && local2 && ty === 'i32' && !inDevice) opts.push(() => { cov('2-D local array load'); return E('i32', 'lb[', idx(2), '][', idx(4), ']'); });
    if (ty === 'i32') {
      // A literal beyond 2^24 is typed (`i32(n)`): as a bare literal next to f32 arithmetic it would
      // take f32, where such an integer literal is refused (not exact in f32).
      const iLit = () => { const l = pick(I_LITERALS); return Math.abs(Number(l)) > 2 ** 24 ? `i32(${l})` : l; };
      opts.push(() => E('i32', iLit()), () => E('i32', `(-${iLit()})`));
      if (!inDevice) {
        opts.push(() => E('i32', 'i'), () => E('i32', 'n'), () => E('i32', 'inI[', idx(ARRAY_LEN), ']'), () => E('i32', 'inI.length'));
        for (const c of counters) opts.push(() => E('i32', c));
        if (on('warp')) opts.push(() => { cov('cuda.laneid'); return E('i32', 'cuda.laneid'); });
        if (inView) opts.push(() => { cov('view load'); return E('i32', `${inView}[`, idx(8), ']'); });
        if (localArr?.ty === 'i32') opts.push(() => { cov('local array load'); return E('i32', `${localArr.name}[`, idx(8), ']'); });
        if (sharedReady && sharedTy === 'i32') opts.push(() => { cov('shared array load'); return E('i32', 'sh[', idx(sharedLen), ']'); });
      }
    } else if (ty === 'u32') {
      opts.push(() => E('u32', `u32(${pick(I_LITERALS.concat(['4294967295', '3000000000']))})`));
      if (on('u32-const')) opts.push(() => E('u32', `(${pick(I_LITERALS)} >>> 0)`));
      if (!inDevice) opts.push(() => E('u32', 'inU[', idx(ARRAY_LEN), ']'));
    } else if (ty === 'bool') {
      opts.push(() => E('bool', pick(['true', 'false'])));
      if (!inDevice) opts.push(() => E('bool', 'flag'));
    } else if (ty === 'F') {
      opts.push(() => E('F', pick(F_LITERALS)));
      if (!inDevice) {
        opts.push(() => E('F', 's'));
        if (!hasF32) opts.push(() => E('F', 'inF[', idx(ARRAY_LEN), ']'));
        if (sharedReady && sharedTy === 'F') opts.push(() => { cov('shared array load'); return E('F', 'sh[', idx(sharedLen), ']'); });
      }
    } else if (ty === 'i64') {
      opts.push(() => E('i64', pick(I64_LITERALS)));
      if (!inDevice) opts.push(() => E('i64', 'inL[', idx(ARRAY_LEN), ']'));
    } else if (ty === 'u64') {
      opts.push(() => E('u64', pick(U64_LITERALS)), () => E('u64', `BigInt.asUintN(64, ${pick(I64_LITERALS)})`));
    } else if (ty === 'f32') {
      opts.push(() => E('f32', `Math.fround(${pick(F_LITERALS)})`));
      if (!inDevice) {
        opts.push(() => E('f32', 'inF[', idx(ARRAY_LEN), ']'));
        if (sharedReady && sharedTy === 'f32') opts.push(() => { cov('shared array load'); return E('f32', 'sh[', idx(sharedLen), ']'); });
      }
    }
    return pick(opts)();
  }

  // JS-exact kernels: `x++` inside an expression cannot be wrapped with `| 0`, so it only
  // targets `ve`, a local that nothing else assigns (it stays far from the i32 limits).
  const effectVar = exact && on('eval-order') ? 've' : null;
  const sideEffect = () => {
    // An i32 value with a side effect on an i32 local (eval-order family).
    const vars = exact ? (inDevice || !effectVar ? [] : [effectVar]) : inDevice ? (inDevice.locals.i32 ?? []) : locals.i32;
    if (!vars.length) return null;
    const v = pick(vars);
    hasEffects = true;
    cov('++/-- inside an expression');
    return E('i32', pick([`${v}++`, `${v}--`, `++${v}`, `--${v}`]));
  };

  function gen(ty, depth) {
    const x = genAny(ty, depth);
    // A constant u32 expression folds to a literal that alone is i32: see the 'u32-const' family.
    if (ty === 'u32' && !on('u32-const') && isConst(x)) return E('u32', 'u32(', x, ')');
    // A constant i32 expression outside i32 (`1 - -2147483647`, `-0`) folds to a literal of
    // another type (u32, float) that a local would take: convert it like a typed program would.
    // So does one beyond 2^24 (`(65535 * 1000000) | 0`): as an abstract literal next to f32
    // arithmetic it takes f32, where it is refused (not exact in f32; fuzz seed 28000056), as
    // leaf() types such a bare literal.
    if (ty === 'i32' && isConst(x) && (!isI32(constValue(x)) || Math.abs(constValue(x)) > 2 ** 24)) return E('i32', 'i32(', x, ')');
    // A constant float expression folds to a literal, and an integral one then takes an
    // integer type (`2.0` is `2`): anchor it to a float variable to keep it a float.
    // (Typed with a dtype conversion: an arithmetic anchor like `s * 0 + c` would be folded
    // by Mesa, which drops NaN and Infinity, issue 11 bug 8.)
    if (ty === 'F' && isConst(x) && Number.isInteger(constValue(x))) return E('F', hasF32 ? 'f32(' : 'f64(', x, ')');
    return x;
  }

  // A float divisor. Mesa (webgpu on llvmpipe) mis-folds divisions by a zero it can see
  // (issue 11 bug 8): unless the 'div-zero' family is on, f32 kernels (the ones run on
  // webgpu) divide by Math.max(d, 1) instead.
  function divisor(ty, d) {
    const x = gen(ty, d);
    if (hasF32 && !on('div-zero')) return E(ty, 'Math.max(', x, ', 1)');
    if (!hasF32) cov('division by a possible zero');
    return x;
  }

  function genAny(ty, depth) {
    if (depth <= 0 || chance(0.25)) return leaf(ty);
    const d = depth - 1;
    const alts = [];
    const add = (w, f) => { for (let k = 0; k < w; k++) alts.push(f); };
    if (ty === 'i32') {
      add(3, () => {
        const op = pick(['+', '-', '*']); cov(`i32 ${op}`);
        // JS-exact kernels: products through Math.imul (a double product can exceed 2^53).
        if (exact && op === '*') return E('i32', 'Math.imul(', gen('i32', d), ', ', gen('i32', d), ')');
        const x = E('i32', '(', gen('i32', d), ` ${op} `, gen('i32', d), ')'); return exact || chance(0.4) ? wrapI(x) : x;
      });
      add(1, () => { cov('Math.imul'); return E('i32', 'Math.imul(', gen(pick(['i32', 'u32']), d), ', ', gen(pick(['i32', 'u32']), d), ')'); });
      add(2, () => { const op = pick(['&', '|', '^', '<<', '>>']); cov(`bitwise ${op}`); return E('i32', '(', gen(pick(['i32', 'u32']), d), ` ${op} `, gen(pick(['i32', 'u32']), d), ')'); });
      add(1, () => { cov('~'); return E('i32', '(~', gen(pick(['i32', 'u32']), d), ')'); });
      add(1, () => { cov('unary -'); const x = E('i32', '(-', gen('i32', d), ')'); return exact ? wrapI(x) : x; });
      add(2, () => { const t = pick(['F', 'u32', 'bool', ...(hasF32 ? ['f32'] : [])]); cov(`${t} | 0`); return wrapI(gen(t, d)); });
      add(1, () => { cov('i32()'); return E('i32', 'i32(', gen(pick(['F', 'u32', ...(hasF32 ? ['f32'] : [])]), d), ')'); });
      add(1, () => { cov('integer %'); const x = E('i32', '(', gen('i32', d), ' % ', posDivisor('i32'), ')'); return exact ? wrapI(x) : x; });
      add(1, () => { cov('(a / b) | 0'); return E('i32', '((', gen('i32', d), ' / ', gen('i32', d), ') | 0)'); });
      add(1, () => { const f = pick(['trunc', 'floor']); cov(`Math.${f}(a / b)`); const x = E('i32', `Math.${f}(`, gen('i32', d), ' / ', posDivisor('i32'), ')'); return exact ? wrapI(x) : x; });
      add(1, () => { const f = pick(['abs', 'sign']); cov(`Math.${f} i32`); const x = E('i32', `Math.${f}(`, gen('i32', d), ')'); return exact ? wrapI(x) : x; });
      add(1, () => { const f = pick(['min', 'max']); cov(`Math.${f} i32`); const args = [gen('i32', d), ', ', gen('i32', d)]; if (chance(0.3)) args.push(', ', gen('i32', d)); return E('i32', `Math.${f}(`, ...args, ')'); });
      add(1, () => { cov('Math.clz32'); return E('i32', 'Math.clz32(', gen(pick(['i32', 'u32']), d), ')'); });
      add(1, () => { cov('?: i32'); return E('i32', '(', gen('bool', d), ' ? ', gen('i32', d), ' : ', gen('i32', d), ')'); });
      add(1, () => { const f = pick(['floor', 'ceil', 'round', 'trunc']); cov(`Math.${f} F | 0`); return wrapI(E('F', `Math.${f}(`, gen('F', d), ')')); });
      if (on('eval-order')) add(1, () => {
        const se = sideEffect(); if (!se) return leaf('i32');
        const f = pick(['max', 'min', 'imul']);
        const a = leaf('i32');
        return chance(0.5) ? E('i32', `Math.${f}(`, a, ', ', se, ')') : wrapI(E('i32', '(', a, ' + ', se, ')'));
      });
      // An atomic on this thread's own slot: deterministic, and its value is the slot's old value.
      if (!inDevice && on('effect-in-expr')) add(1, () => { cov('atomic value in an expression'); return E('i32', `cuda.atomic.${pick(['add', 'sub', 'max', 'xor'])}(oI, base + ${r(SLOTS)}, `, gen('i32', d), ')'); });
      if (!inDevice && on('atomics-new')) add(1, () => {
        const k = r(SLOTS);
        const f = pick(['nanmin', 'nanmax', 'cas', 'compare_and_swap']); cov(`atomic.${f} value`);
        if (f === 'cas') return E('i32', `cuda.atomic.cas(oI, base + ${k}, `, gen('i32', d), ', ', gen('i32', d), ')');
        if (f === 'compare_and_swap') { cov('subarray view'); return E('i32', `cuda.atomic.compare_and_swap(oI.subarray(base + ${k}, base + ${k + 1}), `, gen('i32', d), ', ', gen('i32', d), ')'); }
        return E('i32', `cuda.atomic.${f}(oI, base + ${k}, `, gen('i32', d), ')');
      });
      if (on('narrow')) add(1, () => { const f = pick(['i8', 'u8', 'i16', 'u16']); cov(`${f}()`); return E('i32', `${f}(`, gen(pick(['i32', 'u32', 'F', ...(hasF32 ? ['f32'] : [])]), d), ')'); });
      if (useApi) add(2, () => {
        const f = pick(['popc', 'clz', 'ffs', 'brev']), t = pick(['i32', 'u32', ...(useI64 ? ['i64', 'u64'] : [])]);
        cov(`cuda.${f} of ${t}`);
        if (f !== 'brev') return E('i32', `cuda.${f}(`, gen(t, d), ')');
        // brev keeps the operand's type: i32 here (JS's host cuda.brev cannot know a number's type)
        return t === 'i32' ? wrapI(E('i32', 'cuda.brev(', gen('i32', d), ')')) : E('i32', `cuda.popc(cuda.brev(`, gen(t, d), '))');
      });
      if (useI64) add(2, () => {
        const t = pick(['i64', 'u64']); cov(`${t} to i32`);
        return exact || chance(0.5) ? E('i32', '(Number(BigInt.asIntN(32, ', asI64(gen(t, d)), ')) | 0)') : E('i32', 'i32(', gen(t, d), ')');
      });
    } else if (ty === 'u32') {
      add(3, () => {
        const op = pick(['+', '-', '*']); cov(`u32 ${op}`);
        if (exact && op === '*') return wrapU(E('i32', 'Math.imul(', gen('u32', d), ', ', gen('u32', d), ')'));
        const x = E('u32', '(', gen('u32', d), ` ${op} `, gen('u32', d), ')'); return exact || chance(0.4) ? wrapU(x) : x;
      });
      add(1, () => { cov('u32 + literal'); const x = E('u32', '(', gen('u32', d), ` + ${pick(I_LITERALS)})`); return exact ? wrapU(x) : x; });
      add(2, () => { const t = pick(['F', 'i32', 'u32', 'bool', ...(hasF32 ? ['f32'] : [])]); cov(`${t} >>> 0`); return wrapU(gen(t, d)); });
      add(1, () => { cov('u32()'); return E('u32', 'u32(', gen(pick(['F', 'i32', ...(hasF32 ? ['f32'] : [])]), d), ')'); });
      add(1, () => { cov('>>>'); return E('u32', '(', gen(pick(['i32', 'u32']), d), ' >>> ', gen(pick(['i32', 'u32']), d), ')'); });
      add(1, () => { cov('integer % u32'); return E('u32', '(', gen('u32', d), ' % ', posDivisor('u32'), ')'); });
      add(1, () => { cov('(a / b) >>> 0'); return E('u32', '((', gen('u32', d), ' / ', gen('u32', d), ') >>> 0)'); });
      add(1, () => { const f = pick(['min', 'max']); cov(`Math.${f} u32`); return E('u32', `Math.${f}(`, gen('u32', d), ', ', gen('u32', d), ')'); });
      add(1, () => { cov('?: u32'); return E('u32', '(', gen('bool', d), ' ? ', gen('u32', d), ' : ', gen('u32', d), ')'); });
      add(1, () => { cov('cuda.umulhi'); return E('u32', 'cuda.umulhi(', gen('u32', d), ', ', gen('u32', d), ')'); });
      if (!inDevice && on('atomics-new')) add(1, () => { const f = pick(['inc', 'dec']); cov(`atomic.${f} value`); return E('u32', `cuda.atomic.${f}(oU, base + ${r(SLOTS)}, `, gen('u32', d), ')'); });
      if (useApi) add(1, () => { cov('cuda.brev of u32'); return wrapU(E('u32', 'cuda.brev(', gen('u32', d), ')')); });
      if (useI64) add(1, () => { cov('i64 to u32'); return exact || chance(0.5) ? E('u32', '(Number(BigInt.asUintN(32, ', gen('i64', d), ')) >>> 0)') : E('u32', 'u32(', gen(pick(['i64', 'u64']), d), ')'); });
    } else if (ty === 'i64' || ty === 'u64') {
      const t = ty, u = t === 'u64';
      // JS-exact kernels wrap what can leave 64 bits (elsewhere numbat's wrapping is the meaning).
      const wrap = (x) => (exact || chance(0.4) ? E(t, `BigInt.as${u ? 'Uint' : 'Int'}N(64, `, x, ')') : x);
      add(4, () => { const op = pick(['+', '-', '*']); cov(`${t} ${op}`); return wrap(E(t, '(', gen(t, d), ` ${op} `, gen(t, d), ')')); });
      add(2, () => { const op = pick(['&', '|', '^']); cov(`${t} ${op}`); return E(t, '(', gen(t, d), ` ${op} `, gen(t, d), ')'); });
      add(1, () => {
        const op = pick(['/', '%']); cov(`${t} ${op}`);
        // JS throws on a zero divisor: odd ones in JS-exact kernels (numbat's x / 0n is 0n, tested elsewhere)
        const dv = exact || chance(0.5) ? E(t, '(', gen(t, d), ' | 1n)') : (cov(`${t} ${op} by a possible zero`), gen(t, d));
        const x = E(t, '(', gen(t, d), ` ${op} `, dv, ')');
        return op === '/' && !u ? wrap(x) : x; // INT64_MIN / -1n leaves 64 bits
      });
      add(1, () => {
        const op = pick(['<<', '>>']); cov(`${t} ${op}`);
        // counts past 63 and negative ones (BigInt's shifts are not masked), kept small for JS
        const c = chance(0.6) ? E(t, '(', gen(t, d), ' & 63n)') : E(t, '((', gen(t, d), ` & 127n) ${u ? '+' : '-'} 32n)`);
        const x = E(t, '(', gen(t, d), ` ${op} `, c, ')');
        return op === '<<' ? wrap(x) : x;
      });
      add(1, () => { cov(`~${t}`); return u ? E(t, 'BigInt.asUintN(64, ~', gen(t, d), ')') : E(t, '(~', gen(t, d), ')'); });
      // (u64: 0n - x, since -x of a u64-only literal is a literal no 64-bit type holds: refused)
      add(1, () => { cov(`-${t}`); return u ? E(t, 'BigInt.asUintN(64, (0n - ', gen(t, d), '))') : wrap(E(t, '(-', gen(t, d), ')')); });
      add(1, () => { cov(`?: ${t}`); return E(t, '(', gen('bool', d), ' ? ', gen(t, d), ' : ', gen(t, d), ')'); });
      add(2, () => {
        // conversions in: the other 64-bit type, i32 and u32 (exact), floats (truncated and wrapped: not JS's)
        const from = pick(['i32', 'u32', u ? 'i64' : 'u64', ...(exact ? [] : ['F'])]); cov(`${from} to ${t}`);
        if (from === 'F') return chance(0.5) ? E(t, `${t}(`, gen('F', d), ')') : E(t, `BigInt.as${u ? 'Uint' : 'Int'}N(64, BigInt(`, gen('F', d), '))');
        if (from === 'i64' || from === 'u64') return E(t, `BigInt.as${u ? 'Uint' : 'Int'}N(64, `, gen(from, d), ')');
        return u ? E(t, 'BigInt.asUintN(64, BigInt(', gen(from, d), '))') : E(t, 'BigInt(', gen(from, d), ')');
      });
      if (!u) add(1, () => { const f = pick(['asIntN', 'asUintN']); cov(`BigInt.${f}(32, i64)`); return E(t, `BigInt.${f}(32, `, gen(t, d), ')'); });
      if (useApi) add(1, () => { cov(`cuda.brev of ${t}`); return E(t, `BigInt.as${u ? 'Uint' : 'Int'}N(64, cuda.brev(`, gen(t, d), '))'); });
    } else if (ty === 'bool') {
      add(4, () => {
        const t = pick(['i32', 'u32', 'F', ...(hasF32 ? ['f32'] : [])]);
        const op = pick(['<', '<=', '>', '>=', '===', '!==', '==', '!=']);
        cov(`compare ${t}`);
        return E('bool', '(', gen(t, d), ` ${op} `, gen(t, d), ')');
      });
      add(1, () => { cov('compare i32 with F'); return E('bool', '(', gen('i32', d), ` ${pick(['<', '>=', '==='])} `, gen('F', d), ')'); });
      add(2, () => { const op = pick(['&&', '||']); cov(op); return E('bool', '(', gen('bool', d), ` ${op} `, gen('bool', d), ')'); });
      add(1, () => { cov('!'); return E('bool', '(!', gen('bool', d), ')'); });
      add(1, () => { cov('?: bool'); return E('bool', '(', gen('bool', d), ' ? ', gen('bool', d), ' : ', gen('bool', d), ')'); });
      if (on('number-tests')) add(1, () => {
        const f = pick(['Number.isNaN', 'Number.isFinite', 'isNaN', 'isFinite']); cov(f);
        return E('bool', `${f}(`, gen(pick(['F', 'F', 'i32', 'u32', 'bool', ...(hasF32 ? ['f32'] : [])]), d), ')');
      });
      if (useI64) add(1, () => { const t = pick(['i64', 'u64']); const op = pick(['<', '<=', '>', '>=', '===', '!==']); cov(`compare ${t}`); return E('bool', '(', gen(t, d), ` ${op} `, gen(t, d), ')'); });
      if (on('bool-compare')) add(1, () => { cov('bool < bool'); return E('bool', '(', gen('bool', d), ` ${pick(['<', '>=', '==='])} `, gen('bool', d), ')'); });
    } else if (ty === 'F' || ty === 'f32') {
      const t = ty;
      add(4, () => { const op = pick(['+', '-', '*', '/']); cov(`${t} ${op}`); return E(t, '(', gen(t, d), ` ${op} `, op === '/' ? divisor(t, d) : gen(t, d), ')'); });
      add(1, () => { cov(`${t} %`); return E(t, '(', gen(t, d), ' % ', divisor(t, d), ')'); });
      add(1, () => { cov(`${t} op literal`); return E(t, '(', gen(t, d), ` ${pick(['*', '+', '-', '/'])} ${pick(F_LITERALS)})`); });
      add(1, () => { cov(`-${t}`); return E(t, '(-', gen(t, d), ')'); });
      add(1, () => {
        const f = pick(['sqrt', 'abs', 'floor', 'ceil', 'round', 'trunc', 'sign']); cov(`Math.${f} ${t}`);
        // Math.floor/trunc of an int / int is the integer-division idiom (typed i32/u32,
        // 0 for a zero divisor, docs/language.md): a float floor converts the quotient first.
        let x = gen(t, d);
        if ((f === 'floor' || f === 'trunc') && x.intDiv) x = E(t, hasF32 ? 'f32(' : 'f64(', x, ')');
        return E(t, `Math.${f}(`, x, ')');
      });
      add(1, () => { const f = pick(['min', 'max']); cov(`Math.${f} ${t}`); return E(t, `Math.${f}(`, gen(t, d), ', ', gen(t, d), ')'); });
      add(1, () => { cov(`?: ${t}`); return E(t, '(', gen('bool', d), ' ? ', gen(t, d), ' : ', gen(t, d), ')'); });
      if (on('math-new')) add(1, () => {
        // fma: webgpu refuses it, so not in f32 kernels (the ones run there).
        const f = pick(['copysign', 'nextafter', 'remainder', 'ldexp', ...(hasF32 ? [] : ['fma'])]); cov(`cuda.${f}`);
        if (f === 'ldexp') return E(t, 'cuda.ldexp(', gen(t, d), ', ', gen('i32', d), ')');
        if (f === 'fma') return E(t, 'cuda.fma(', gen(t, d), ', ', gen(t, d), ', ', gen(t, d), ')');
        return E(t, `cuda.${f}(`, gen(t, d), ', ', gen(t, d), ')');
      });
      if (t === 'F') {
        add(2, () => { cov('int / int (default float)'); const it = pick(['i32', 'u32']); return { ...E('F', '(', gen(it, d), ' / ', divisor(it, d), ')'), intDiv: true }; });
        add(1, () => { cov('int * float literal'); return E('F', '(', gen(pick(['i32', 'u32']), d), ` * ${pick(['0.5', '1.5', '0.1'])})`); });
        add(1, () => { cov('F op i32'); return E('F', '(', gen('F', d), ` ${pick(['+', '-', '*'])} `, gen('i32', d), ')'); });
        add(1, () => { cov('Math.fround in F'); return kind === 'f64' || exact ? E('F', 'f64(Math.fround(', gen('F', d), '))') : E('F', 'Math.fround(', gen('F', d), ')'); });
        if (useI64) add(1, () => { const it = pick(['i64', 'u64']); cov(`Number(${it})`); return E('F', exact || chance(0.5) ? 'Number(' : hasF32 ? 'f32(' : 'f64(', gen(it, d), ')'); });
        if (kind !== 'f32') add(1, () => { cov('f64()'); return E('F', 'f64(', gen(pick(['i32', 'u32', 'F']), d), ')'); });
        if (hasF32) add(2, () => { cov('f32 widened to F'); return E('F', '(', gen('f32', d), ` ${pick(['+', '*', '-'])} `, gen('F', d), ')'); });
        // Only exact powers inside expressions (pow is not correctly rounded: V8 and libm
        // differ in the last bit for x ** 3); the others go to oX with a relative bound.
        if (kind === 'f64' && on('pow')) add(1, () => { cov('Math.pow(x, 0 | 1)'); return E('F', 'Math.pow(', gen('F', d), ', ', pick(['0', '1']), ')'); });
      } else {
        add(2, () => { cov('f32()'); return E('f32', pick(['f32(', 'Math.fround(']), gen(pick(['F', 'i32', 'u32']), d), ')'); });
      }
      if (devFns.length && !inDevice) add(2, () => callDev(t, d));
      // A float atomic on this thread's own oF slot as a value (its old value: deterministic).
      if (useApi && !inDevice && (t === 'f32') === hasF32) add(1, () => {
        const f = pick(['add', 'sub', 'min', 'max', 'exch', 'cas']); cov(`atomic.${f} float value`);
        const k = r(SLOTS);
        if (f === 'cas') return E(t, `cuda.atomic.cas(oF, base + ${k}, `, gen(t, d), ', ', gen(t, d), ')');
        return E(t, `cuda.atomic.${f}(oF, base + ${k}, `, gen(t, d), ')');
      });
    }
    if (ty !== 'bool' && ty !== 'f32' && devFns.length && !inDevice) add(1, () => callDev(ty, d));
    if (!alts.length) return leaf(ty);
    return pick(alts)();
  }

  function callDev(ty, d) {
    const cands = devFns.filter((f) => f.ret === ty || (f.ret === 'F' && ty === 'F'));
    if (!cands.length) return leaf(ty);
    const f = pick(cands);
    f.used = true;
    cov('device function call');
    const args = [];
    let atI32 = false;
    f.params.forEach((p, k) => {
      if (k) args.push(', ');
      // A polymorphic device function (params typed F) also gets i32 arguments: one
      // more specialisation of its body (not JS-exact: integer arithmetic wraps).
      if (p === 'F' && f.poly && chance(0.5)) { cov('device function at i32'); args.push(gen('i32', d)); f.polyUsed = true; atI32 = true; }
      else args.push(gen(p, d));
    });
    if (useRandom) args.push(', st, i');
    const call = E(ty, `${f.name}(`, ...args, ')');
    // Called at i32, a polymorphic function's result may be an i32, not F.
    if (on('dev-result') && !atI32) return call;
    // A bare call result next to a u32 operand is refused ('dev-result' family): a
    // conversion (or an operation with a float) types it first.
    return ty === 'i32' ? wrapI(call) : ty === 'u32' ? wrapU(call) : E(ty, '(', call, ' + s)');
  }

  // ---- statements ----
  const loopDepth = { v: 0 };
  function assignStmt() {
    const tys = Object.keys(locals).filter((t) => (inDevice ? inDevice.locals[t]?.length : locals[t].length));
    if (!tys.length) return null;
    const ty = pick(tys);
    const v = pick(inDevice ? inDevice.locals[ty] : locals[ty]);
    const x = gen(ty, 3);
    if (ty === 'i32' && chance(0.5)) {
      const op = pick(exact ? ['|=', '&=', '^=', '<<=', '>>='] : ['+=', '-=', '*=', '|=', '&=', '^=', '<<=', '>>=']);
      cov(`i32 ${op}`);
      return S(`${v} ${op} `, x, ';');
    }
    if (ty === 'u32' && chance(0.4)) {
      if (exact) { cov('u32 = (u + x) >>> 0'); return S(`${v} = (${v} + `, x, ') >>> 0;'); }
      const op = pick(['+=', '-=', '*=', '>>>=']);
      cov(`u32 ${op}`);
      return S(`${v} ${op} `, x, ';');
    }
    if ((ty === 'F' || ty === 'f32') && chance(0.4) && (on('lane-linear') || loopDepth.v === 0)) {
      const op = pick(['+=', '-=', '*=', '/=', '%=']);
      cov(`${ty} ${op}`);
      return S(`${v} ${op} `, op === '/=' || op === '%=' ? divisor(ty, 3) : x, ';');
    }
    if (ty === 'i32' && chance(0.3)) {
      const op = pick(['++', '--']);
      cov(`i32 ${op}`);
      return exact ? S(`${v}${op}; ${v} |= 0;`) : S(chance(0.5) ? `${v}${op};` : `${op}${v};`);
    }
    return S(`${v} = `, x, ';');
  }

  function storeStmt() {
    if (useI64 && chance(0.3)) return store64Stmt();
    if (narrowArrays && chance(0.3)) return storeNarrowStmt();
    // A store into one of this thread's own output slots.
    const arr = pick(['oI', 'oU', 'oF']);
    const slot = `${arr}[base + ${r(SLOTS)}]`;
    const ty = arr === 'oI' ? pick(['i32', 'F', 'u32']) : arr === 'oU' ? pick(['u32', 'i32', 'F']) : (hasF32 ? pick(['f32', 'F']) : 'F');
    if (chance(0.3) && (on('lane-linear') || loopDepth.v === 0)) {
      // Arithmetic compound stores mix the element's type with the value's: same type or a float.
      const op = arr === 'oF' ? pick(['+=', '-=', '*=']) : pick(['+=', '-=', '|=', '^=']);
      const vt = arr === 'oF' || op === '|=' || op === '^=' ? ty : pick([arr === 'oI' ? 'i32' : 'u32', 'F']);
      cov(`element ${op}`);
      return S(`${slot} ${op} `, gen(vt, 3), ';');
    }
    const x = gen(ty, 3);
    if (chance(0.1) && (on('lane-linear') || loopDepth.v === 0)) { cov('element ++'); return S(`${slot}${pick(['++', '--'])};`); }
    cov(`store ${ty} to ${arr}`);
    return S(`${slot} = `, x, ';');
  }

  /** A store into this thread's own oB (Int8Array) or oH (Uint16Array) slots: the value wraps as JS's stores do. */
  function storeNarrowStmt() {
    const arr = pick(['oB', 'oH']);
    const slot = `${arr}[base + ${r(SLOTS)}]`;
    const form = r(4);
    if (form === 0) { cov(`${arr} element ++`); return S(`${slot}${pick(['++', '--'])};`); }
    // (a narrow element loads as i32: `-=` of a u32 would mix i32 and u32, which is refused)
    if (form === 1) { const op = pick(['+=', '-=', '|=', '^=']); cov(`${arr} element ${op}`); return S(`${slot} ${op} `, gen(pick(['i32', 'F']), 2), ';'); }
    const ty = pick(['i32', 'u32', 'F', ...(hasF32 ? ['f32'] : [])]);
    cov(`store ${ty} to ${arr}`);
    return S(`${slot} = `, gen(ty, 3), ';');
  }

  /** A store into this thread's own oL slots (BigInt64Array: the value wraps), or an atomic on one. */
  function store64Stmt() {
    const slot = `oL[base + ${r(SLOTS)}]`;
    const t = pick(['i64', 'i64', 'u64']);
    const x = asI64(gen(t, 3));
    if (chance(0.2)) { const f = pick(['add', 'and', 'or', 'xor', 'exch']); cov(`atomic.${f} on BigInt64Array`); return S(`cuda.atomic.${f}(oL, base + ${r(SLOTS)}, `, x, ');'); }
    if (chance(0.3)) { const op = pick(['+=', '-=', '^=', '|=']); cov(`BigInt64Array element ${op}`); return S(`${slot} ${op} `, x, ';'); }
    cov(`store ${t} to oL`);
    return S(`${slot} = `, x, ';');
  }

  function inexactStmt(only) {
    // An inexact Math function of an exactly computed argument, stored straight into oX
    // (`only`: one of these functions).
    const fams = only ? [...only] : ['exp', 'expm1', 'log', 'log2', 'log10', 'log1p', 'cbrt', 'atan', 'asin', 'acos', 'atan2', 'hypot'];
    if (on('trig') && !only) fams.push('sin', 'cos', 'tan');
    if (on('hyperbolic') && !only) fams.push('sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh');
    if (on('pow') && !only) fams.push('pow');
    // numba's erf & co: in f64 kernels and in f32 ones (which webgpu runs through core's f32 library).
    if (on('math-erf') && !only && (kind === 'f64' || kind === 'f32')) fams.push('cuda.erf', 'cuda.erfc', 'cuda.gamma', 'cuda.lgamma');
    const f = pick(fams);
    const ty = hasF32 ? pick(['f32', 'F']) : 'F';
    cov(f.startsWith('cuda.') ? f : `Math.${f}`);
    let arg = gen(ty, 2);
    if (['sin', 'cos', 'tan'].includes(f)) arg = E(ty, '(', arg, ' % 1000)');
    // The f64 library's huge-argument reduction, a rare arm on cpu (IfStmt.rare), in some threads.
    if (['sin', 'cos', 'tan'].includes(f) && hugeTrig && (only || chance(0.5))) {
      cov('Math.sin/cos/tan of 1e22 in some threads');
      arg = E(ty, `((i & ${pick([1, 3, 7, 12])}) === ${pick([0, 1])} ? 1e22 : `, arg, ')');
    }
    if (['sinh', 'cosh', 'exp', 'expm1'].includes(f)) arg = E(ty, '(', arg, ' % 80)');
    // Arguments next to 1, where formulas cancel (webgpu's log below 1, acosh above it).
    if (['log', 'log2', 'log10', 'log1p', 'acosh', 'asin', 'acos', 'atanh', 'pow'].includes(f) && chance(0.25)) {
      cov('argument next to 1');
      const tiny = pick(['2e-7', '1e-5', '0.001']);
      arg = f === 'log1p' ? E(ty, '((', arg, ' % 1) * ', tiny, ')') : E(ty, '(1 ', pick(['+', '-']), ' (', arg, ' % 1) * ', tiny, ')');
    }
    const two = ['atan2', 'hypot', 'pow'].includes(f);
    // pow: small exponents, and now and then integer ones up to 2^17 (long squaring chains).
    const second = f === 'pow' ? (chance(0.2) ? (cov('pow with a large integer exponent'), E(ty, '(', gen('i32', 1), ' % 131072)')) : E(ty, '(', gen(ty, 1), ' % 8)')) : gen(ty, 2);
    if (f === 'cuda.gamma' || f === 'cuda.lgamma') arg = E(ty, '(', arg, ' % 200)');
    // Box-Muller's shape: a sin and a cos of one argument (cpu lane groups pair them, lane-trig-pairs.ts).
    if ((f === 'sin' || f === 'cos') && chance(0.3)) {
      cov('Math.sin and Math.cos of one argument');
      return S(`oX[base + ${r(SLOTS)}] = Math.sin(`, arg, `); oX[base + ${r(SLOTS)}] = Math.cos(`, arg, ');');
    }
    return S(`oX[base + ${r(SLOTS)}] = ${f.startsWith('cuda.') ? f : `Math.${f}`}(`, arg, ...(two ? [', ', second] : []), ');');
  }

  // A normal draw: inexact (each target's log, sqrt, sin, cos), so stored straight into oX,
  // f32 normals in f32 kernels (oX's f32 bound), f64 ones in f64 kernels (its 1e-13 bound).
  function normalStmt() {
    const f = hasF32 ? 'normalF32' : 'normalF64';
    cov(`random.${f}`);
    return S(`oX[base + ${r(SLOTS)}] = random.${f}(st, i);`);
  }

  // One operation class per accumulator array: add/sub commute with each other, and each
  // of min, max, and, or, xor with itself, but not with one another.
  // On integer arrays nanmin/nanmax are min/max; inc/dec with v = 2^32 - 1 are +1/-1 mod 2^32
  // (so they commute with add/sub on the u32 accumulator).
  const nw = on('atomics-new');
  const classes = (u) => [[...['add', 'sub'], ...(nw && u ? ['inc', 'dec'] : [])], ['min', ...(nw ? ['nanmin'] : [])], ['max', ...(nw ? ['nanmax'] : [])], ['and'], ['or'], ['xor']];
  const atomicOps = { acc: pick(classes(false)), accU: pick(classes(true)) };
  function atomicStmt() {
    const u = chance(0.5);
    const arr = u ? 'accU' : 'acc';
    const op = pick(atomicOps[arr]);
    cov(`atomic.${op}`);
    if (op === 'inc' || op === 'dec') return S(`cuda.atomic.${op}(${arr}, `, idx(8), ', u32(4294967295));');
    return S(`cuda.atomic.${op}(${arr}, `, idx(8), ', ', gen(u ? 'u32' : 'i32', 2), ');');
  }

  // Float nanmin/nanmax on the thread's own oF slot (deterministic).
  function floatAtomicStmt() {
    const f = pick(['nanmin', 'nanmax', ...(useApi ? ['add', 'sub', 'min', 'max', 'exch'] : [])]); cov(`atomic.${f} float`);
    return S(`cuda.atomic.${f}(oF, base + ${r(SLOTS)}, `, gen(hasF32 ? pick(['f32', 'F']) : 'F', 2), ');');
  }

  function frexpStmt() {
    const m = fresh('fm'), e = fresh('fe');
    cov('cuda.frexp');
    const fl = pick(locals.F), il = pick(locals.i32);
    return S(`{ const [${m}, ${e}] = cuda.frexp(`, gen(hasF32 ? pick(['f32', 'F']) : 'F', 2), `); ${fl} += ${m}; ${il} ^= ${e}; }`);
  }

  function viewStoreStmt() {
    // A view of this thread's own slots; sometimes a view of that view.
    const arr = pick(['oI', 'oU', 'oF']);
    const ty = arr === 'oI' ? 'i32' : arr === 'oU' ? 'u32' : hasF32 ? 'f32' : 'F';
    const w = fresh('w');
    cov('subarray view store');
    if (chance(0.3)) {
      cov('view of a view');
      const w2 = fresh('w');
      return S(`{ const ${w} = ${arr}.subarray(base, base + ${SLOTS}); const ${w2} = ${w}.subarray(1); ${w2}[`, idx(2), '] = ', gen(ty, 2), '; }');
    }
    return S(`{ const ${w} = ${arr}.subarray(base, base + ${SLOTS}); ${w}[`, idx(SLOTS), '] = ', gen(ty, 2), '; }');
  }

  function forOf(depth) {
    const x = fresh('x');
    const srcs = [['inI', 'i32'], ['inU', 'u32'], ['inF', hasF32 ? 'f32' : 'F']];
    if (inView) srcs.push([inView, 'i32']);
    if (localArr) srcs.push([localArr.name, 'i32']);
    if (on('views')) srcs.push([`inI.subarray(${r(8)}, ${8 + r(8)})`, 'i32'], [`inU.subarray(${-1 - r(6)})`, 'u32']);
    const [src, ty] = pick(srcs);
    cov('for...of');
    ro[ty].push(x);
    loopDepth.v++;
    const body = block(depth - 1, 1 + r(3));
    loopDepth.v--;
    ro[ty].pop();
    return S(`for (const ${x} of ${src}) `, body);
  }

  function rangeLoop(depth) {
    const q = fresh('q');
    const u = chance(0.25);
    const stop = u ? E('u32', 'u32(', gen('u32', 1), ' & 7)') : E('i32', '(', gen('i32', 1), ' & 7)');
    let args;
    const form = r(3);
    if (form === 0) args = [stop];
    else if (form === 1) args = [String(r(3)), ', ', stop];
    else {
      const step = pick(u ? [1, 2, 3] : [1, 2, 3, -1, -2]); // a u32 range counts up
      args = step > 0 ? [String(r(3)), ', ', stop, `, ${step}`] : [stop, `, ${-1 - r(3)}, ${step}`];
    }
    cov(`cuda.range(${form + 1} args)${u ? ' u32' : ''}`);
    const ty = u && form === 0 ? 'u32' : u ? null : 'i32';
    if (ty) ro[ty].push(q);
    loopDepth.v++;
    const body = block(depth - 1, 1 + r(3));
    loopDepth.v--;
    if (ty) ro[ty].pop();
    return S(`for (const ${q} of cuda.range(`, ...args, ')) ', body);
  }

  function tupleCallStmt() {
    const cands = devFns.filter((f) => f.tuple);
    if (!cands.length) return null;
    const f = pick(cands);
    f.used = true;
    cov('device function returning [a, b]');
    const a = fresh('ta'), b = fresh('tb');
    const args = [];
    f.params.forEach((p, k) => { if (k) args.push(', '); args.push(gen(p, 2)); });
    if (useRandom) args.push(', st, i');
    const use = (v, ty) => (ty === 'i32' ? `${pick(locals.i32)} ^= ${v};` : `${pick(locals.F)} += ${v};`);
    return S(`{ const [${a}, ${b}] = ${f.name}(`, ...args, `); ${use(a, f.rets[0])} ${use(b, f.rets[1])} }`);
  }

  function block(depth, n) {
    const stmts = [];
    for (let k = 0; k < n; k++) { const s = stmt(depth); if (s) stmts.push(s); }
    return B(stmts);
  }

  function stmt(depth) {
    const alts = [];
    const add = (w, f) => { for (let k = 0; k < w; k++) alts.push(f); };
    add(5, assignStmt);
    if (!inDevice) {
      add(4, storeStmt);
      if (on('inexact-math') && !exact) add(1, inexactStmt);
      if (useRandom) add(1, normalStmt);
      if (on('atomics')) add(1, atomicStmt);
      if (gridSync) add(1, () => { const f = pick(['threadfence', 'threadfence_block', 'threadfence_system']); cov(`cuda.${f}()`); return S(`cuda.${f}();`); });
      if (localArr) add(1, () => { cov('local array store'); return S(`${localArr.name}[`, idx(8), '] = ', gen(localArr.ty, 2), ';'); });
      if (local2) add(1, () => { cov('2-D local array store'); return S('lb[', idx(2), '][', idx(4), '] = ', gen('i32', 2), ';'); });
      if (on('atomics-new')) add(1, floatAtomicStmt);
      if (on('math-new') && locals.F.length && locals.i32.length) add(1, frexpStmt);
      if (on('views')) add(1, viewStoreStmt);
      if (devFns.some((f) => f.tuple)) add(1, tupleCallStmt);
      if (allowReturn && on('early-return')) add(1, () => { cov('early return'); return S('if (', gen('bool', 2), ') return;'); });
    } else {
      add(1, () => { cov('early return in device function'); return S('if (', gen('bool', 2), ') return ', devReturn(), ';'); });
    }
    if (depth > 0) {
      add(2, () => { cov('if'); const c = chance(0.2) ? gen(pick(['i32', 'F']), 2) : gen('bool', 2); if (c.e !== 'bool') cov('truthiness of a number'); return chance(0.5) ? S('if (', c, ') ', block(depth - 1, 1 + r(3))) : S('if (', c, ') ', block(depth - 1, 1 + r(2)), ' else ', block(depth - 1, 1 + r(2))); });
      if (!inDevice || on('lane-linear')) add(2, () => loop(depth));
      if (!inDevice && on('for-of') && loopDepth.v < 2) add(1, () => forOf(depth));
      if (!inDevice && on('range') && loopDepth.v < 2) add(1, () => rangeLoop(depth));
    }
    if (loopDepth.v > 0) {
      add(1, () => { cov('break'); return S('if (', gen('bool', 2), ') break;'); });
      add(1, () => { cov('continue'); return S('if (', gen('bool', 2), ') continue;'); });
    }
    return pick(alts)();
  }

  function loop(depth) {
    const c = fresh('q');
    const style = pick(['for', 'for', 'while', 'do']);
    let bound = String(1 + r(4));
    if (!inDevice && on('data-loops') && chance(0.2)) { cov('loop bounded by array element'); bound = `(inI[${r(ARRAY_LEN)}] & 3)`; }
    else if (chance(0.2)) { cov('loop with thread-dependent trip count'); bound = inDevice ? `(${inDevice.params[0].ty === 'i32' ? inDevice.params[0].name : 0} & 3)` : '(i & 3)'; }
    counters.push(c);
    loopDepth.v++;
    const body = block(depth - 1, 1 + r(3));
    loopDepth.v--;
    counters.pop();
    cov(`${style} loop`);
    if (style === 'for') return S(`for (let ${c} = 0; ${c} < ${bound}; ${c}++) `, body);
    // The counter moves first so that a `continue` cannot skip it.
    if (style === 'while') return S(`{ let ${c} = 0; while (${c} < ${bound}) { ${c}++; `, body, ' } }');
    return S(`{ let ${c} = 0; do { ${c}++; `, body, ` } while (${c} < ${bound}); }`);
  }

  // ---- device functions ----
  function devReturn() {
    if (inDevice.rets) return E(null, '[', devValue(inDevice.rets[0]), ', ', devValue(inDevice.rets[1]), ']');
    return devValue(inDevice.ret);
  }
  function devValue(r) {
    // A constant result is typed wrongly at the call (the 'dev-result' family): avoid it unless asked.
    let x = gen(r, 2);
    for (let k = 0; k < 8 && !on('dev-result') && isConst(x); k++) x = gen(r, 2);
    if (isConst(x) && !on('dev-result')) {
      const t0 = inDevice.locals.i32[0]; // an i32 local: `t0 * 0` folds exactly
      x = r === 'u32' ? E(r, '((', x, ` + ${t0} * 0) >>> 0)`) : r === 'i32' ? E(r, '(', x, ` + ${t0} * 0)`) : E(r, hasF32 ? 'f32(' : 'f64(', x, `) + ${t0} * 0`);
    }
    return x;
  }
  let sharedLen = 0;
  let allowReturn = false;
  function deviceFn(k) {
    const name = `dev${k}`;
    const poly = on('dev-poly') && !exact && chance(0.5);
    const nParams = 1 + r(2);
    const params = [];
    const prefix = on('dev-same-names') ? '' : `${name}_`;
    for (let p = 0; p < nParams; p++) params.push({ name: `${prefix}p${p}`, ty: poly ? 'F' : pick(['i32', 'u32', 'F', ...(hasF32 ? ['f32'] : [])]) });
    const ret = poly ? 'F' : pick(['i32', 'F', ...(on('dev-result') ? ['u32'] : [])]);
    // A device function returning [a, b] (called only as `const [x, y] = f(...)`).
    const rets = !poly && on('dev-tuple') && chance(0.35) ? [pick(['i32', 'F']), pick(['i32', 'F'])] : null;

    const dl = { i32: [], F: [] };
    inDevice = { params, ret, rets, locals: dl };
    // Declared one after the other: an initialiser only sees the locals before it.
    const decls = [S(`let ${prefix}t0 = `, gen('i32', 1), ';')];
    dl.i32.push(`${prefix}t0`);
    decls.push(S(`let ${prefix}t1 = ${params.find((p) => p.ty === 'F')?.name ?? '0.5'};`), S(`${prefix}t1 = `, gen('F', 1), ';'));
    dl.F.push(`${prefix}t1`);
    const body = block(1, 1 + r(3));
    const tail = { ...S('return ', devReturn(), ';'), keep: true }; // the reducer keeps the result
    inDevice = null;
    cov(poly ? 'polymorphic device function' : 'device function');
    return { name, params: params.map((p) => p.ty), ret: rets ? 'tuple' : ret, rets, tuple: !!rets, poly, node: S(`function ${name}(${[...params.map((p) => p.name), ...(useRandom ? ['ds', 'di'] : [])].join(', ')}) { `, B([...decls, body, tail].flatMap((x) => (x.b ? x.stmts : [x]))), ' }') };
  }

  if (on('device-fns')) {
    const nd = r(3);
    for (let k = 0; k < nd; k++) devFns.push(deviceFn(k));
  }

  // ---- the kernel ----
  const T = 64; // threads
  const block1 = 32;
  // Warp functions and reducing barriers: every thread of the block must reach them.
  // With every other family off (a warp-only run), every kernel uses warp functions.
  const useWarp = on('warp') && chance(Object.keys(FAMILIES).every((f) => f === 'warp' || off.has(f)) ? 1 : 0.3);
  const useSyncRed = on('sync-reduce') && chance(0.2);
  const pre = [];
  pre.push(grid2 ? 'const [gx, gy] = cuda.grid(2); const i = gy * 8 + gx;' : 'const i = cuda.grid(1);');
  // Warp kernels: either no early return (static masks: the lanes each arm holds), or
  // `if (i >= n) return;` first and every mask cuda.activemask() (warpExit).
  // Barrier loops draw from their own stream: the kernels of seeds without them stay the same.
  const rb = mulberry32(seed ^ 0x5bd1e995);
  const useBarrierLoop = on('barrier-loops') && rb() < 0.2;
  // Barriers or shared memory somewhere: every thread of a block must reach them (no early return).
  const blockWide = useShared || sharedAtomics || gridSync || useSyncRed || useBarrierLoop || keptPhases || sharedTree || drawBarriers;
  const warpExit = useWarp && !blockWide && chance(0.3);
  const guardN = warpExit ? pick([T, T - 5]) : blockWide || useWarp ? T : pick([T, T - 5]);
  // Blocks of other widths (their own stream) where no barrier or warp function needs whole
  // blocks: a width that is not a multiple of cpu's lane groups (8 to 64 threads) runs its
  // remainder in narrower groups or thread by thread (a split kernel's second function, the
  // variant with narrow tails); the grid covers the 64 threads, the guard returns the rest.
  const rbs = mulberry32(seed ^ 0x165667b1);
  const blockShape = on('block-shapes') && !grid2 && !blockWide && !useWarp && rbs() < 0.6
    ? [8, 13, 24, 40, 48, 64, 96][Math.floor(rbs() * 7)] : 0;
  if (blockShape) cov(`blocks of ${blockShape} threads`);
  if (!useWarp || warpExit) pre.push('if (i >= n) return;');
  if (warpExit) cov('warp functions after an early return');
  pre.push(`const base = i * ${SLOTS};`);
  const declStmts = [];
  const tys = ['i32', 'i32', 'u32', 'F', 'bool', ...(hasF32 ? ['f32', 'f32'] : []), ...(useI64 ? ['i64', 'i64', 'u64'] : [])];
  const lateTyped = [];
  const truelyLate = [];
  for (const ty of tys) {
    const v = fresh(`v${ty === 'F' ? 'f' : ty === 'i64' ? 'l' : ty === 'u64' ? 'ul' : ty[0]}`);
    if (on('late-typed') && ty !== 'bool' && chance(0.15)) {
      // `let x;` then the first assignment gives its type (not readable before it).
      cov('local declared without a value');
      declStmts.push(S(`let ${v};`));
      truelyLate.push([v, ty]);
      continue;
    }
    // A typed first value (a folded constant alone would be i32), then a random one.
    const init = { i32: '0', u32: 'u32(0)', F: 's', bool: 'false', f32: 'Math.fround(s)', i64: '0n', u64: 'BigInt.asUintN(64, 0n)' }[ty];
    declStmts.push(S(`let ${v} = ${init};`));
    lateTyped.push([v, ty]);
    locals[ty].push(v);
  }
  if (effectVar) declStmts.push(S(`let ${effectVar} = 0;`));
  const lateInit = [];
  for (const [v, ty] of truelyLate) { lateInit.push({ ...S(`${v} = `, gen(ty, 1), ';'), keep: true }); locals[ty].push(v); }
  for (const [v, ty] of lateTyped) lateInit.push(S(`${v} = `, gen(ty, 1), ';'));
  if (on('local-arrays') && chance(0.3)) {
    localArr = { name: 'la', ty: 'i32' };
    cov('local array');
    declStmts.push(S('const la = cuda.local.array(8, i32); for (let z = 0; z < 8; z++) la[z] = z;'));
  }
  if (useApi && chance(0.4)) {
    local2 = true;
    cov('2-D local array');
    declStmts.push({ ...S('const lb = cuda.local.array([2, 4], i32); for (let z = 0; z < 8; z++) lb[z >> 2][z & 3] = z * 3;'), keep: true });
  }
  if (on('views') && chance(0.3)) {
    inView = 'vw';
    cov('subarray view of an input');
    const k = r(9);
    declStmts.push({ ...S(chance(0.3) ? 'const vw = inI.subarray(-8);' : `const vw = inI.subarray(${k}, ${k + 8});`), keep: true });
  }
  const sharedPhase = [];
  // The thread's index in its block (the 2-D blocks are 4 x 4).
  const tid = grid2 ? '(cuda.threadIdx.y * 4 + cuda.threadIdx.x)' : 'cuda.threadIdx.x';
  if (useShared) {
    sharedTy = hasF32 ? pick(['i32', 'f32']) : pick(['i32', 'F']);
    sharedLen = grid2 ? 16 : block1;
    cov('shared array + syncthreads');
    sharedPhase.push(S(`const sh = cuda.shared.array(${sharedLen}, ${sharedTy === 'i32' ? 'i32' : sharedTy === 'f32' ? 'f32' : 'f64'}); sh[${tid}] = `, gen(sharedTy, 2), '; cuda.syncthreads();'));
    sharedReady = true;
    if (chance(0.5)) {
      // A second phase: read a neighbour and compute the new value, barrier, write back,
      // barrier. The value is computed before the barrier: it may read sh, and a read of
      // another thread's slot while the threads write theirs is a data race (its result
      // depends on the order threads run in: llvmpipe and the simulator differ).
      cov('two barrier phases');
      sharedPhase.push(S(`{ const nb = sh[(${tid} + 1) & ${sharedLen - 1}]; const nv = nb + `, gen(sharedTy, 1), `; cuda.syncthreads(); sh[${tid}] = nv; cuda.syncthreads(); }`));
    }
  }
  // Atomics of one commuting class (as on acc/accU) on an 8-element shared array (1-D, 2-D
  // [2][4] with [y, x] indices, 3-D [2][2][2], or dynamic: shape 0 sized by the launch), some under
  // thread-dependent ifs; thread 0 fills it first and every thread reads one element after
  // the last barrier: the same final contents in any order of the threads.
  if (sharedAtomics) {
    const rn = (n) => Math.floor(ras() * n);
    const u = ras() < 0.5, ty = u ? 'u32' : 'i32';
    const shape = ['1-D', '2-D', '3-D', 'dynamic'][rn(4)];
    cov(`atomics on a ${shape} shared array`);
    if (shape === 'dynamic') dynShared = 32;
    const dims = { '2-D': [2, 4], '3-D': [2, 2, 2] }[shape] ?? [8];
    const decl = `${dims.length > 1 ? `[${dims.join(', ')}]` : shape === 'dynamic' ? 0 : 8}, ${ty}`;
    const element = { '2-D': '[z >> 2][z & 3]', '3-D': '[z >> 2][(z >> 1) & 1][z & 1]' }[shape] ?? '[z]';
    // an index per dimension, in order: `[y, x]` for an atomic, `[y][x]` for a load
    const atomicIndex = () => (dims.length > 1 ? E('i32', '[', ...dims.flatMap((d, k) => [...(k ? [', '] : []), idx(d)]), ']') : idx(8));
    const cls = classes(u)[rn(classes(u).length)];
    const parts = [`{ const sa = cuda.shared.array(${decl}); if (${tid} === 0) for (let z = 0; z < 8; z++) sa${element} = ${u ? 'inU' : 'inI'}[z]; cuda.syncthreads(); `];
    for (let k = 1 + rn(3); k > 0; k--) {
      const op = cls[rn(cls.length)];
      cov(`shared atomic.${op}`);
      const at = atomicIndex();
      const value = op === 'inc' || op === 'dec' ? 'u32(4294967295)' : gen(ty, 2);
      const stmt = S(`cuda.atomic.${op}(sa, `, at, ', ', value, ');');
      parts.push(rn(2) ? S('if (', gen('bool', 1), ') { ', stmt, ' } ') : S(stmt, ' '));
    }
    const acc = locals.i32[rn(locals.i32.length)];
    const read = E(ty, 'sa', ...dims.flatMap((d) => ['[', idx(d), ']']));
    parts.push(`cuda.syncthreads(); ${acc} = (${acc} + `, u ? E('i32', 'i32(', read, ')') : read, ') | 0; }');
    sharedPhase.push(S(...parts));
  }
  // Each thread stores to its own oI slot, the grid meets, each reads another thread's slot
  // (often in the other block), and the grid meets again before any thread writes its slots again.
  if (gridSync) {
    const k = Math.floor(rgs() * SLOTS), off = 16 + Math.floor(rgs() * 32);
    const acc = locals.i32[Math.floor(rgs() * locals.i32.length)];
    const sync = rgs() < 0.5 ? 'cuda.cg.this_grid().sync();' : '{ const gg = cuda.cg.this_grid(); gg.sync(); }';
    cov('grid barrier (cuda.cg.this_grid().sync())');
    sharedPhase.push(S(`oI[base + ${k}] = `, gen('i32', 2), `; ${sync} ${acc} = (${acc} + oI[((i + ${off}) & 63) * ${SLOTS} + ${k}]) | 0; ${sync}`));
  }
  // A loop with barriers whose exit every thread reads from shared memory (WGSL broadcasts
  // it), then a loop with a thread-dependent break around a do…while.
  if (useBarrierLoop) {
    notJS = true;
    const rn = (n) => Math.floor(rb() * n);
    const acc = locals.i32[rn(locals.i32.length)];
    const start = `(inI[${rn(16)}] & 3) + ${1 + rn(3)}`;
    if (rb() < 0.5) {
      cov('barrier loop counted down in shared memory');
      sharedPhase.push(S(`{ const bls = cuda.shared.array(1, i32); if (${tid} === 0) bls[0] = ${start}; cuda.syncthreads(); while (bls[0] > 0) { ${acc} += bls[0]; cuda.syncthreads(); if (${tid} === 0) bls[0]--; cuda.syncthreads(); } }`));
    } else {
      cov('barrier loop bounded by a shared value');
      sharedPhase.push(S(`{ const bls = cuda.shared.array(1, i32); if (${tid} === 0) bls[0] = ${start}; cuda.syncthreads(); for (let blk = 0; blk < bls[0]; blk++) { ${acc} ^= blk; cuda.syncthreads(); } }`));
    }
    cov('cuda.range with break around a do loop after a barrier loop');
    sharedPhase.push(S(`for (const blq of cuda.range(0, ${1 + rn(3)})) { if ((i & ${[1, 3, 7][rn(3)]}) === ${rn(2)}) break; let bld = 0; do { bld++; ${acc} += bld; } while (bld < (inI[${rn(16)}] & 3)); }`));
  }
  // Random statements between barriers: what a phase assigns, a later one reads (on cpu a slot
  // per thread, which its lane groups hold in registers). Each phase starts by updating an i32
  // local, then in f64 kernels often takes a sin/cos/tan that is huge in some threads (hugeTrig):
  // a cpu lane group meeting that arm before any effect hands its threads to the thread-by-thread
  // code, which reruns the region, and the update must not count twice (it did until 2026-12-03).
  const keptPhase = [];
  if (keptPhases) cov(`${keptPhases} barrier${keptPhases > 1 ? 's' : ''} between random statements`);
  for (let k = 0; k < keptPhases; k++) {
    const acc = locals.i32[Math.floor(rk() * locals.i32.length)];
    const update = S(`${acc} = (${acc} + ${1 + Math.floor(rk() * 9)}) | 0;`);
    const trig = hugeTrig && on('inexact-math') && on('trig') && rk() < 0.6 ? [inexactStmt(['sin', 'cos', 'tan'])] : [];
    keptPhase.push(S('cuda.syncthreads();'), update, ...trig, ...block(2, 1 + Math.floor(rk() * 3)).stmts);
  }
  // The seed's reduction: one element per thread into a shared array, then a tree of barriers
  // (on cpu each level a region, its `if` a range of threads or a strided test). Race-free: a
  // level writes elements that no thread of it reads.
  if (sharedTree) {
    const rn = (n) => Math.floor(rt() * n);
    const len = grid2 ? 16 : block1;
    const ty = hasF32 ? ['i32', 'f32'][rn(2)] : ['i32', 'F'][rn(2)];
    const op = ty === 'i32' ? ['+', 'min', 'max', '^'][rn(4)] : ['+', 'min', 'max'][rn(3)];
    const fold = (a, b) => (op === '+' ? (ty === 'i32' ? `(${a} + ${b}) | 0` : `${a} + ${b}`) : op === '^' ? `${a} ^ ${b}` : `Math.${op}(${a}, ${b})`);
    const halving = rn(2) === 0;
    cov(`shared tree reduction (${halving ? 'halving ranges' : 'interleaved pairs'}, ${ty} ${op})`);
    const level = halving
      ? `for (let ts = ${len >> 1}; ts > 0; ts >>= 1) { if (${tid} < ts) tr[${tid}] = ${fold(`tr[${tid}]`, `tr[${tid} + ts]`)}; cuda.syncthreads(); }`
      : `for (let ts = 1; ts < ${len}; ts <<= 1) { if ((${tid} & (2 * ts - 1)) === 0) tr[${tid}] = ${fold(`tr[${tid}]`, `tr[${tid} + ts]`)}; cuda.syncthreads(); }`;
    const into = ty === 'i32' ? pick(locals.i32) : pick(locals.F);
    const add = ty === 'i32' ? `${into} = (${into} + tr[0]) | 0;` : `${into} = ${into} + tr[0];`;
    sharedPhase.push(S(`{ const tr = cuda.shared.array(${len}, ${ty === 'F' ? 'f64' : ty}); tr[${tid}] = `, gen(ty, 2), `; cuda.syncthreads(); ${level} ${add} }`));
  }
  // Loops whose every trip draws the same words: the cpu draws them in whole Philox blocks where
  // a lane group's threads all stand at a block boundary, else trip by trip with a lookahead block
  // per thread (where the loop reads and writes no global memory but the states: normals go to a
  // local, stored to oX after the loop). A thread-dependent number of words first (lanes at mixed
  // positions), half the time a barrier between those and the loops, and one after them.
  const drawPhase = [];
  if (drawLoops) {
    const rn = (n) => Math.floor(rd() * n);
    const m = [1, 3, 7][rn(3)];
    const pre = [];
    if (rn(3) > 0) {
      const acc = locals.u32[rn(locals.u32.length)];
      if (rn(2)) {
        cov('thread-dependent words drawn before a loop of draws');
        pre.push(S(`for (let dw = 0; dw < (i & ${m}); dw++) ${acc} = (${acc} ^ random.uint32(st, i)) >>> 0;`));
      } else {
        // (the cpu lowers it masked, once per lane group, beside the loop's blocks: its lane budget
        // counts it so since 2026-12-03)
        const f = ['uint32', 'uniformF32', hasF32 ? 'normalF32' : 'normalF64'][rn(3)];
        cov(`random.${f} under a thread-dependent if before a loop of draws`);
        // (a normal to oX, compared within the targets' math: docs/random.md)
        const v = locals.F[rn(locals.F.length)], test = `((i * ${1 + rn(5)}) & ${m}) === ${rn(2)}`;
        pre.push(S(f === 'uint32' ? `if (${test}) ${acc} = (${acc} ^ random.uint32(st, i)) >>> 0;`
          : f === 'uniformF32' ? `if (${test}) ${v} += ${hasF32 ? 'random.uniformF32(st, i)' : 'f64(random.uniformF32(st, i))'};`
            : `if (${test}) oX[base + ${rn(SLOTS)}] = random.${f}(st, i);`));
      }
    }
    // The words drawn first before the first barrier, or (half the time) after it: in the loops' region.
    const preInLoopsRegion = drawBarriers && rn(2) === 0;
    if (!preInLoopsRegion) drawPhase.push(...pre);
    if (drawBarriers) { cov('loops of draws between barriers'); drawPhase.push(S('cuda.syncthreads();')); }
    if (preInLoopsRegion) drawPhase.push(...pre);
    for (let loops = 1 + rn(2); loops > 0; loops--) {
      const kinds = ['uint32', 'uniformF32', ...(hasF32 ? ['normalF32'] : ['uniformF64', 'normalF64'])];
      const picked = [kinds[rn(kinds.length)], ...(rn(3) === 0 ? [kinds[rn(kinds.length)]] : [])];
      const nz = `nz${loops}`, slot = rn(SLOTS);
      const normal = picked.some((f) => f.startsWith('normal'));
      const body = picked.map((f) => {
        cov(`loop of random.${f} draws`);
        if (f === 'uint32') { const u = locals.u32[rn(locals.u32.length)]; return `${u} = (${u} + random.uint32(st, i)) >>> 0;`; }
        if (f.startsWith('normal')) return `${nz} = random.${f}(st, i);`;
        const v = locals.F[rn(locals.F.length)];
        return f === 'uniformF32' && !hasF32 ? `${v} += f64(random.uniformF32(st, i));` : `${v} += random.${f}(st, i);`;
      });
      const extra = rn(4);
      if (extra === 0) { cov('thread-dependent continue in a loop of draws'); body.splice(rn(body.length + 1), 0, `if (((i + dk) & ${m}) === ${rn(2)}) continue;`); }
      if (extra === 1) { cov('draw under a thread-dependent if in a loop of draws'); const u = locals.u32[rn(locals.u32.length)]; body.push(`if ((i & ${m}) === ${rn(2)}) ${u} = (${u} ^ random.uint32(st, i)) >>> 0;`); }
      const bound = rn(2) ? `(inI[${rn(ARRAY_LEN)}] & 7) + ${1 + rn(4)}` : String(1 + rn(9));
      drawPhase.push(S(`${normal ? `let ${nz} = ${hasF32 ? 'Math.fround(0)' : '0'}; ` : ''}for (let dk = 0; dk < ${bound}; dk++) { ${body.join(' ')} }${normal ? ` oX[base + ${slot}] = ${nz};` : ''}`));
    }
    if (drawBarriers) drawPhase.push(S('cuda.syncthreads();'));
  }
  // A retry loop inside a counted one (`for (;;)` left by a break, or `do … while`), ending on a
  // thread-dependent test or a trip limit (rejection sampling's shape; the cpu flattens the two
  // loops into one).
  const rr = mulberry32(seed ^ 0x9e3779b9);
  const retryPhase = [];
  if (on('retry-loops') && rr() < 0.25) {
    const rn = (n) => Math.floor(rr() * n);
    const acc = locals.i32[rn(locals.i32.length)];
    cov('retry loop inside a counted loop');
    // (Everything from this stream and the locals: the main stream, and so the rest of the kernel, stays as it was.)
    const test = () => `((i * ${1 + rn(7)} + rtt * ${1 + rn(5)} + ${acc}) & ${[1, 3, 7][rn(3)]}) === ${rn(2)}`;
    const accept = useRandom && rr() < 0.6 ? draw('bool') : E('bool', test());
    const head = `for (let rtk = 0; rtk < (inI[${rn(16)}] & 3) + 1; rtk++) { let rtt = 0; ${acc} = (${acc} + rtk) | 0; `;
    const tail = ` ${acc} = (${acc} + rtt * ${1 + rn(5)}) | 0; }`;
    const limit = 2 + rn(4), skip = test(), mix = `${acc} = (${acc} ^ (rtt << ${rn(8)})) | 0;`;
    if (rr() < 0.5) retryPhase.push(S(head, `for (;;) { rtt++; if (rtt > ${limit} || `, accept, `) break; if (${skip}) continue; ${mix} }`, tail));
    else {
      cov('retry loop as do…while');
      retryPhase.push(S(head, `do { rtt++; if (${skip}) continue; ${mix} } while (rtt <= ${limit} && !(`, accept, '));', tail));
    }
  }
  // A local array at loop counters and per-lane indices (the cpu keeps each lane's copy in rows).
  const rl = mulberry32(seed ^ 0x2545f491);
  const rowPhase = [];
  if (on('local-array-rows') && rl() < 0.25) {
    const rn = (n) => Math.floor(rl() * n);
    const acc = locals.i32[rn(locals.i32.length)];
    const u = rl() < 0.5, T = u ? 'u32' : 'i32', wrap = (x) => (u ? `((${x}) >>> 0)` : `((${x}) | 0)`);
    cov(`local array of ${T} at loop counters`);
    const test = `((i * ${1 + rn(7)} + ${acc}) & ${[1, 3, 7][rn(3)]}) === ${rn(2)}`;
    rowPhase.push(S(`{ const lr = cuda.local.array(8, ${T}); const nr = (inI[${rn(16)}] & 7) + 1; `,
      `for (let k = 0; k < nr; k++) lr[k] = ${wrap(`${acc} * ${1 + rn(5)} + k * ${rn(9)} + i`)}; `,
      `if (${test}) { for (let k = 0; k < nr; k++) lr[k] = ${wrap(`lr[k] + k + ${1 + rn(4)}`)}; } `,
      `for (let k = 0; k < nr; k++) { for (let j = 0; j <= k; j++) ${acc} = (${acc} + Math.imul(lr[j] | 0, k - j + 1)) | 0; } `,
      `lr[(i + ${rn(8)}) & 7] = ${wrap(`lr[(i + ${rn(8)}) & 7] ^ ${acc}`)}; `,
      `${acc} = (${acc} + (lr[${acc} & 7] | 0)) | 0; }`));
  }
  // Warp functions and reducing barriers: at the top level first, full masks (a 4 x 4
  // block is one partial warp of 16 lanes), or activemask() after an early return.
  const warpPhase = [];
  const FULL = grid2 ? 0xffff : 0xffffffff;
  const hex = (m) => `u32(0x${(m >>> 0).toString(16)})`;
  const mask = warpExit ? 'cuda.activemask()' : grid2 ? 'u32(0xffff)' : 'u32(0xffffffff)';
  const warpCall = (m) => {
    const f = pick(['shfl_sync', 'shfl_up_sync', 'shfl_down_sync', 'shfl_xor_sync', 'all_sync', 'any_sync', 'eq_sync', 'ballot_sync', 'match_any_sync', 'activemask', 'lanemask_lt', ...(useApi ? ['match_all_sync'] : [])]);
    cov(`cuda.${f}`);
    if (f === 'match_all_sync') {
      const vt = pick(['i32', 'u32', ...(useI64 ? ['i64', 'u64'] : [])]);
      const wm = fresh('wm'), ws = fresh('ws');
      const u = pick(locals.u32); // (^ gives an i32: back to u32 with >>> 0)
      return S(`{ const [${wm}, ${ws}] = cuda.match_all_sync(${m}, `, gen(vt, 2), `); ${u} = (${u} ^ ${wm}) >>> 0; ${pick(locals.bool)} = ${ws}; }`);
    }
    if (f.startsWith('shfl')) {
      const ty = pick(['i32', 'u32', 'F', ...(hasF32 ? ['f32'] : []), ...(useI64 ? ['i64', 'u64'] : [])]);
      if (ty === 'i64' || ty === 'u64') cov(`cuda.${f} of ${ty}`);
      const lane = f === 'shfl_sync' ? gen('i32', 1) : String(r(34));
      return S(`${pick(locals[ty])} = cuda.${f}(${m}, `, gen(ty, 2), ', ', lane, ');');
    } else if (f.endsWith('all_sync') || f === 'any_sync' || f === 'eq_sync') {
      return S(`${pick(locals.bool)} = cuda.${f}(${m}, `, gen(pick(['bool', 'i32', 'F']), 2), ');');
    } else if (f === 'ballot_sync' || f === 'match_any_sync') {
      const vt = f === 'ballot_sync' ? pick(['bool', 'i32']) : pick(['i32', 'u32', ...(useI64 ? ['i64', 'u64'] : [])]);
      if (vt === 'i64' || vt === 'u64') cov(`cuda.${f} of ${vt}`);
      return S(`${pick(locals.u32)} = cuda.${f}(${m}, `, gen(vt, 2), ');');
    }
    return S(`${pick(locals.u32)} = cuda.${f}();`);
  };
  const calls = (m, n) => Array.from({ length: n }, () => warpCall(m));
  const plain = () => (chance(0.5) ? block(0, 1 + r(2)).stmts : []);
  /** Lanes of the warp (0..31, or 0..15 in the 4 x 4 block) for which f holds, as a mask. */
  const lanesWhere = (f) => { let m = 0; for (let l = 0; l < (grid2 ? 16 : 32); l++) if (f(l)) m |= 1 << l; return m >>> 0; };
  /** A thread-dependent lane condition and the mask of the lanes that take each arm. */
  const laneCond = (within) => {
    if (chance(0.5)) {
      const k = 1 + r(grid2 ? 15 : 31);
      return { c: `cuda.laneid < ${k}`, then: lanesWhere((l) => l < k) & within, else: lanesWhere((l) => l >= k) & within };
    }
    const bitsM = pick([1, 2, 3, 4, 5, 8, 12]);
    const rem = r(bitsM + 1) & bitsM;
    return { c: `(cuda.laneid & ${bitsM}) === ${rem}`, then: lanesWhere((l) => (l & bitsM) === rem) & within, else: lanesWhere((l) => (l & bitsM) !== rem) & within };
  };
  /** A loop whose trip count differs per thread, warp functions over activemask() first in its body. */
  const tripLoop = () => {
    const q = fresh('q');
    cov('warp functions in a loop with a thread-dependent trip count');
    const body = [...calls('cuda.activemask()', 1 + r(2)), ...plain()];
    if (chance(0.3)) { cov('break after warp functions'); body.push(S('if (', gen('bool', 2), ') break;')); }
    else if (chance(0.3)) { cov('continue after warp functions'); body.push(S('if (', gen('bool', 2), ') continue;'), ...plain()); }
    return S(`for (let ${q} = 0; ${q} < (`, gen('i32', 1), ` & 3); ${q}++) `, B(body));
  };
  /**
   * Warp functions under thread-dependent control. The simulator meets lanes per
   * call site whenever they arrive, emulation in lock step: they agree while lanes
   * stay in step, so each structure ends in syncwarp over every live lane (full, or
   * `am`, the activemask() taken first after the early return), an arm's mask is
   * the live lanes it holds, and activemask() is called only where lanes are in step
   * (at the top, first in a loop body).
   */
  const live = warpExit ? 'am' : hex(FULL);
  const armMask = (m) => (warpExit ? `((am & ${hex(m)}) >>> 0)` : hex(m));
  const divergent = () => {
    const shape = pick(['if', 'if', 'nested', 'loop', 'loop-in-if']);
    cov(`warp functions under thread-dependent control: ${shape}`);
    const arms = (lc, inner) => {
      const thenB = [...plain(), ...calls(armMask(lc.then), 1 + r(2)), ...(inner ? [inner(lc.then)] : [])];
      const elseB = chance(0.5) ? [...calls(armMask(lc.else), 1 + r(2)), ...plain()] : null;
      return elseB ? S('if (', lc.c, ') ', B(thenB), ' else ', B(elseB)) : S('if (', lc.c, ') ', B(thenB));
    };
    if (shape === 'if') return arms(laneCond(FULL));
    if (shape === 'nested') return arms(laneCond(FULL), (within) => { const lc = laneCond(within); return lc.then && lc.else ? arms(lc) : warpCall(armMask(within)); });
    if (shape === 'loop') return tripLoop();
    return S('if (', laneCond(FULL).c, ') ', B([tripLoop()]));
  };
  if (useWarp) {
    notJS = true;
    if (warpExit) warpPhase.push({ ...S('const am = cuda.activemask();'), keep: true });
    warpPhase.push(...calls(mask, 1 + r(3)));
    if (chance(0.6)) {
      for (let k = 1 + r(2); k > 0; k--) warpPhase.push(divergent(), S(`cuda.syncwarp(${live});`));
    }
  }
  if (useSyncRed) {
    notJS = true;
    const f = pick(['syncthreads_count', 'syncthreads_and', 'syncthreads_or']);
    cov(`cuda.${f}`);
    warpPhase.push(S(`${pick(locals.i32)} ^= cuda.${f}(`, gen(pick(['bool', 'i32', 'F']), 2), ');'));
  }
  allowReturn = true;
  // (Kernels with loops of draws between barriers get a shorter main part: a region with a loop
  // of draws over the cpu's lane budget at 16 lanes keeps the whole kernel from drawing in blocks.)
  const main = drawBarriers ? block(2, 1 + r(3)) : block(3, 4 + r(6));
  const epilogue = [];
  for (const ty of ['i32', 'u32', 'F', 'f32', 'bool']) {
    locals[ty].forEach((v, k) => {
      const arr = ty === 'i32' || ty === 'bool' ? 'oI' : ty === 'u32' ? 'oU' : 'oF';
      epilogue.push(S(`${arr}[base + ${k % SLOTS}] += ${ty === 'bool' ? `${v} ? 1 : 0` : v};`));
    });
  }
  locals.i64.forEach((v, k) => epilogue.push(S(`oL[base + ${k % SLOTS}] += ${v};`)));
  locals.u64.forEach((v, k) => epilogue.push(S(`oL[base + ${(k + 2) % SLOTS}] ^= BigInt.asIntN(64, ${v});`)));
  if (localArr) epilogue.push(S('oI[base + 3] ^= la[i & 7];'));
  if (local2) epilogue.push(S('oI[base + 2] ^= lb[i & 1][(i >> 1) & 3];'));
  if (effectVar) epilogue.push(S(`oI[base + 2] += ${effectVar};`));
  const usedDevs = devFns.filter((f) => f.used);
  const polyUsed = usedDevs.some((f) => f.polyUsed);
  const jsExact = exact && !polyUsed && !notJS;
  if (drawLean) cov('loops of draws in a lean kernel');
  const body = B(drawLean ? [...declStmts, ...lateInit.filter((x) => x.keep), ...drawPhase, ...epilogue]
    : [...declStmts, ...lateInit, ...sharedPhase, ...keptPhase, ...drawPhase, ...retryPhase, ...rowPhase, ...warpPhase, ...main.stmts, ...epilogue]);
  return {
    seed, kind, grid2, jsExact, f64: kind !== 'f32', coverage: [...coverage], useRandom, i64: useI64, narrowArrays,
    devs: usedDevs.map((f) => ({ name: f.name, node: f.node })),
    pre, body, guardN, sharedLen, useShared, dynShared, blockShape,
  };
}

// ---- printing ----
const CONST_ENV = ['Math', 'u32', 'i32', 'f32', 'f64', 'i8', 'u8', 'i16', 'u16', 'cuda', 'Number'];
const CONST_VALS = [Math, (x) => x >>> 0, (x) => x | 0, Math.fround, (x) => +x, (x) => (x << 24) >> 24, (x) => x & 255, (x) => (x << 16) >> 16, (x) => x & 65535, hostCuda, Number];
/** The value of a constant expression (as JavaScript computes it). */
export function constValue(n) {
  try { return new Function(...CONST_ENV, `return (${printNode(n)})`)(...CONST_VALS); } catch { return NaN; }
}

const isI32 = (v) => Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 && !Object.is(v, -0);

/** True when an expression reads no variable (the compiler folds it to a literal). */
export function isConst(n) {
  const t = printNode(n).replace(/Math\.\w+|cuda\.(copysign|nextafter|remainder|ldexp|fma)\b|Number\.is\w+|\b(u32|i32|f32|f64|i8|u8|i16|u16|isNaN|isFinite|true|false)\b|\d(e[+-]?\d+)/g, '');
  return !/[A-Za-z_$]/.test(t);
}

export function printNode(n) {
  if (typeof n === 'string') return n;
  if (n.b) return `{ ${n.stmts.map(printNode).join(' ')} }`;
  return n.parts.map(printNode).join('');
}

/** Pretty-prints a block with one statement per line (for reports). */
function printBlockLines(b, indent) {
  const lines = [];
  for (const s of b.stmts) lines.push(indent + printNode(s));
  return lines;
}

export const PARAMS = ['inI', 'inU', 'inF', 'oI', 'oU', 'oF', 'oX', 'acc', 'accU', 'n', 's', 'flag'];
/** The argument index of the random states (`st`, after PARAMS) in a kernel that draws. */
export const STATES = PARAMS.length;
/**
 * A program's parameters: PARAMS, `st` where it draws random numbers, `inL, oL` where it uses
 * 64-bit integers, `inB, oB, oH` (Int8Array, Int8Array, Uint16Array) where it uses narrow arrays.
 */
export const paramsOf = (p) => [...PARAMS, ...(p.useRandom ? ['st'] : []), ...(p.i64 ? ['inL', 'oL'] : []), ...(p.narrowArrays ? ['inB', 'oB', 'oH'] : [])];

export function kernelSource(p) {
  return [`function kern(${paramsOf(p).join(', ')}) {`, ...p.pre.map((l) => '  ' + l), ...printBlockLines(p.body, '  '), '}'].join('\n');
}

export function deviceSources(p) {
  return p.devs.map((d) => ({ name: d.name, src: printNode(d.node) }));
}

/** Launch shape and arguments (fresh copies each call). */
export function launchOf(p) {
  const block = p.grid2 ? [4, 4] : p.blockShape || 32;
  return { grid: p.grid2 ? [2, 2] : Math.ceil(64 / block), block, ...(p.dynShared ? { sharedMem: p.dynShared } : {}) };
}

export function makeArgs(p, float32) {
  const T = 64;
  const FA = float32 ? Float32Array : Float64Array;
  const rot = (vals, k) => vals.map((_, j) => vals[(j + k) % vals.length]);
  const inI = Int32Array.from({ length: ARRAY_LEN }, (_, j) => rot(INT_VALUES, p.seed % 7)[j % INT_VALUES.length]);
  const inU = Uint32Array.from({ length: ARRAY_LEN }, (_, j) => rot(U32_VALUES, p.seed % 5)[j % U32_VALUES.length]);
  const inF = FA.from({ length: ARRAY_LEN }, (_, j) => rot(F_VALUES, p.seed % 11)[j % F_VALUES.length]);
  return [inI, inU, inF, new Int32Array(T * SLOTS), new Uint32Array(T * SLOTS), new FA(T * SLOTS), new FA(T * SLOTS),
    new Int32Array(8), new Uint32Array(8), p.guardN, 0.75, (p.seed & 1) === 1, ...(p.useRandom ? [random.createStates(T, p.seed)] : []),
    ...(p.i64 ? [BigInt64Array.from({ length: ARRAY_LEN }, (_, j) => I64_VALUES[(j + p.seed) % I64_VALUES.length]), new BigInt64Array(T * SLOTS)] : []),
    ...(p.narrowArrays ? [Int8Array.from({ length: ARRAY_LEN }, (_, j) => [0, 1, -1, 127, -128, 100, -7, 64][(j + p.seed) % 8]), new Int8Array(T * SLOTS), new Uint16Array(T * SLOTS)] : [])];
}
export const OUTPUTS = [3, 4, 5, 6, 7, 8];
/** The outputs beyond OUTPUTS, compared exactly: `oL`, `oB`, `oH` where the program has them, as { index, name }. */
export const extraOutputs = (p) => paramsOf(p).flatMap((name, index) => (['oL', 'oB', 'oH'].includes(name) ? [{ index, name }] : []));

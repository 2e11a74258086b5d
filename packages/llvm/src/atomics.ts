// Atomic read-modify-write operations as small helper functions. llvm-bindings
// 0.4.2 has no atomicrmw/cmpxchg builders, so the kernel module only declares
// `numbat_atomic_<op>_<elem>_p<addrspace>(ptr, value[, expected])` and the
// target links a helper module, generated here as textual LLVM 14 IR (typed
// pointers), whose definitions use the real instructions. Each returns the old
// element, with the simulator's meaning: integer ops wrap, float nanmin/nanmax
// ignore a NaN operand (numba), float cas compares values (===). Float min/max
// (JS Math.min/max) arrive as a loop over that cas (core's legalisation).
// A `_plain` helper computes the same with an ordinary load and store, for memory
// no other OS thread touches meanwhile (the CPU's shared memory).

import type { AtomicOp, ElemType } from '@numbat/core';

/** One atomic helper a module calls (KernelLowerer.atomicsUsed): its op, element type, address space and form. */
export interface AtomicUse { op: AtomicOp; elem: ElemType; addrSpace: number; plain?: boolean }

/** `plain`: the helper without atomic instructions (AtomicHelperOptions.plain). */
export function atomicHelperName(op: AtomicOp, elem: ElemType, addrSpace: number, plain = false): string {
  return `numbat_atomic_${op}_${elem}_p${addrSpace}${plain ? '_plain' : ''}`;
}

export interface AtomicHelperOptions {
  /** e.g. 'syncscope("block") ' for a narrower scope; default: system scope. */
  scope?: string;
  /** Extra function attributes (default: alwaysinline nounwind). */
  attributes?: string;
  /**
   * An ordinary load, the operation and a store: for memory that one OS thread at a time
   * reads and writes (the CPU's shared memory: a block's threads run on one worker, one
   * after another), where a lock-prefixed instruction would only cost its ~20 cycles.
   * The same results as the atomic form, to the bit.
   */
  plain?: boolean;
}

const INT_RMW: Partial<Record<AtomicOp, { signed: string; unsigned: string }>> = {
  add: { signed: 'add', unsigned: 'add' }, sub: { signed: 'sub', unsigned: 'sub' },
  and: { signed: 'and', unsigned: 'and' }, or: { signed: 'or', unsigned: 'or' }, xor: { signed: 'xor', unsigned: 'xor' },
  exch: { signed: 'xchg', unsigned: 'xchg' }, max: { signed: 'max', unsigned: 'umax' }, min: { signed: 'min', unsigned: 'umin' },
  // No NaN in integers: nanmin/nanmax are min/max (the frontend already maps them).
  nanmax: { signed: 'max', unsigned: 'umax' }, nanmin: { signed: 'min', unsigned: 'umin' },
};

/** atomicInc's and atomicDec's new value `%<out>` from the old one `%o` and the bound `%v` (ir/semantics.ts). */
function wrapNext(op: 'inc' | 'dec', out: string): string {
  return op === 'inc'
    ? `  %wrap = icmp uge i32 %o, %v
  %o1 = add i32 %o, 1
  %${out} = select i1 %wrap, i32 0, i32 %o1`
    : `  %zero = icmp eq i32 %o, 0
  %above = icmp ugt i32 %o, %v
  %wrap = or i1 %zero, %above
  %o1 = sub i32 %o, 1
  %${out} = select i1 %wrap, i32 %v, i32 %o1`;
}

/** CUDA's atomicInc/atomicDec on u32 by compare-and-swap loop (LLVM 14 has no uinc_wrap/udec_wrap). */
function wrapCounterIR(name: string, op: 'inc' | 'dec', p: string, scope: string, attrs: string): string {
  const next = wrapNext(op, 'new');
  return `define i32 @${name}(${p} %p, i32 %v) ${attrs} {
entry:
  %first = load atomic i32, ${p} %p ${scope}monotonic, align 4
  br label %loop
loop:
  %o = phi i32 [ %first, %entry ], [ %seen, %loop ]
${next}
  %pair = cmpxchg ${p} %p, i32 %o, i32 %new ${scope}seq_cst seq_cst
  %seen = extractvalue { i32, i1 } %pair, 0
  %ok = extractvalue { i32, i1 } %pair, 1
  br i1 %ok, label %done, label %loop
done:
  ret i32 %o
}
`;
}

/**
 * cuda.threadfence_block / threadfence / threadfence_system for LLVM targets
 * whose fence needs no scope (the CPU: one coherent memory, a seq_cst fence
 * for every scope). Named numbat_fence_<scope>.
 */
export function fenceHelperIR(scope: 'block' | 'device' | 'system', body = '  fence seq_cst', attrs = 'alwaysinline nounwind'): string {
  return `define void @numbat_fence_${scope}() ${attrs} {
${body}
  ret void
}
`;
}

/** Textual IR defining one helper (external linkage: NativeModule.link internalises it after linking). */
export function atomicHelperIR(op: AtomicOp, elem: ElemType, addrSpace: number, o: AtomicHelperOptions = {}): string {
  const name = atomicHelperName(op, elem, addrSpace, o.plain);
  const scope = o.scope ?? '';
  const attrs = o.attributes ?? 'alwaysinline nounwind';
  const as = addrSpace ? ` addrspace(${addrSpace})` : '';
  if (o.plain) return plainHelperIR(name, op, elem, as, attrs);
  const int = intTypes(elem, as);
  if (int) {
    const { it, p } = int;
    if (op === 'inc' || op === 'dec') return wrapCounterIR(name, op, p, scope, attrs);
    if (op === 'cas') {
      return `define ${it} @${name}(${p} %p, ${it} %v, ${it} %e) ${attrs} {
  %r = cmpxchg ${p} %p, ${it} %e, ${it} %v ${scope}seq_cst seq_cst
  %o = extractvalue { ${it}, i1 } %r, 0
  ret ${it} %o
}
`;
    }
    const rmw = INT_RMW[op]![int.signed ? 'signed' : 'unsigned'];
    return `define ${it} @${name}(${p} %p, ${it} %v) ${attrs} {
  %o = atomicrmw ${rmw} ${p} %p, ${it} %v ${scope}seq_cst
  ret ${it} %o
}
`;
  }
  const { ft, it, align, fp, ip } = floatTypes(elem, as);
  if (op === 'add' || op === 'sub') {
    // x − v as x + (−v), which IEEE 754 defines it to be: LLVM 14's NVPTX cannot select
    // `atomicrmw fsub` ("LLVM ERROR: Cannot select", which aborts the process).
    const negate = op === 'sub' ? `  %n = fneg ${ft} %v\n` : '';
    return `define ${ft} @${name}(${fp} %p, ${ft} %v) ${attrs} {
${negate}  %o = atomicrmw fadd ${fp} %p, ${ft} ${op === 'sub' ? '%n' : '%v'} ${scope}seq_cst
  ret ${ft} %o
}
`;
  }
  if (op === 'exch') {
    return `define ${ft} @${name}(${fp} %p, ${ft} %v) ${attrs} {
  %ip = bitcast ${fp} %p to ${ip}
  %vi = bitcast ${ft} %v to ${it}
  %oi = atomicrmw xchg ${ip} %ip, ${it} %vi ${scope}seq_cst
  %o = bitcast ${it} %oi to ${ft}
  ret ${ft} %o
}
`;
  }
  // nanmin / nanmax / cas: compare-and-swap loop on the bits.
  const params = op === 'cas' ? `${fp} %p, ${ft} %v, ${ft} %e` : `${fp} %p, ${ft} %v`;
  let compute: string;
  if (op === 'cas') {
    compute = `  %same = fcmp oeq ${ft} %of, %e
  %new = select i1 %same, ${ft} %v, ${ft} %of
  br i1 %same, label %try, label %done
try:`;
  } else {
    // Float Math.min/max are legalised (core's 'atomic-float-minmax' rule) into a loop over cas.
    if (op !== 'nanmin' && op !== 'nanmax') throw new Error(`numbat internal error: atomic ${op} on ${elem}`);
    compute = `${nanMinMax(op, ft, it, 'new')}
  br label %try
try:`;
  }
  return `define ${ft} @${name}(${params}) ${attrs} {
entry:
  %ip = bitcast ${fp} %p to ${ip}
  %first = load atomic ${it}, ${ip} %ip ${scope}monotonic, align ${align}
  br label %loop
loop:
  %oi = phi ${it} [ %first, %entry ], [ %seen, %try ]
  %of = bitcast ${it} %oi to ${ft}
${compute}
  %ni = bitcast ${ft} %new to ${it}
  %pair = cmpxchg ${ip} %ip, ${it} %oi, ${it} %ni ${scope}seq_cst seq_cst
  %seen = extractvalue { ${it}, i1 } %pair, 0
  %ok = extractvalue { ${it}, i1 } %pair, 1
  br i1 %ok, label %done, label %loop
done:
  ret ${ft} %of
}
`;
}

/** An integer element's LLVM type, a pointer to it, its alignment and signedness; undefined for floats. */
function intTypes(elem: ElemType, as: string): { it: string; p: string; align: number; signed: boolean } | undefined {
  if (elem !== 'i32' && elem !== 'u32' && elem !== 'i64' && elem !== 'u64') return undefined;
  const it = elem === 'i64' || elem === 'u64' ? 'i64' : 'i32';
  return { it, p: `${it}${as}*`, align: it === 'i64' ? 8 : 4, signed: elem === 'i32' || elem === 'i64' };
}

/** An f32/f64 element's LLVM type, the integer of its bits, its alignment and pointers to both. */
function floatTypes(elem: ElemType, as: string): { ft: string; it: string; align: number; fp: string; ip: string } {
  if (elem !== 'f32' && elem !== 'f64') throw new Error(`numbat internal error: atomics on ${elem}`);
  const ft = elem === 'f32' ? 'float' : 'double', it = elem === 'f32' ? 'i32' : 'i64';
  return { ft, it, align: elem === 'f32' ? 4 : 8, fp: `${ft}${as}*`, ip: `${it}${as}*` };
}

/**
 * nanmin's or nanmax's new element `%<out>` from the old one `%of` and the operand `%v`: the
 * smaller (larger); of two equal ones (±0) the bits or-ed (and-ed), so -0 wins nanmin; a NaN
 * operand ignored (numba), a NaN element replaced.
 */
function nanMinMax(op: 'nanmin' | 'nanmax', ft: string, it: string, out: string): string {
  const minish = op === 'nanmin';
  return `  %better = fcmp ${minish ? 'olt' : 'ogt'} ${ft} %of, %v
  %pick = select i1 %better, ${ft} %of, ${ft} %v
  %ob = bitcast ${ft} %of to ${it}
  %vb = bitcast ${ft} %v to ${it}
  %cb = ${minish ? 'or' : 'and'} ${it} %ob, %vb
  %cf = bitcast ${it} %cb to ${ft}
  %eq = fcmp oeq ${ft} %of, %v
  %r1 = select i1 %eq, ${ft} %cf, ${ft} %pick
  %onan = fcmp uno ${ft} %of, %of
  %vnan = fcmp uno ${ft} %v, %v
  %r2 = select i1 %onan, ${ft} %v, ${ft} %r1
  %${out} = select i1 %vnan, ${ft} %of, ${ft} %r2`;
}

/** The value an integer operation leaves in the element, and the instructions computing it (`%o` the old one, `%v` the operand, `%e` cas's expected). */
function intNext(op: AtomicOp, it: string, signed: boolean): { code: string; value: string } {
  const n = (code: string): { code: string; value: string } => ({ code, value: '%n' });
  const pick = (cmp: string) => n(`  %c = icmp ${cmp} ${it} %o, %v\n  %n = select i1 %c, ${it} %o, ${it} %v`);
  switch (op) {
    case 'add': case 'sub': case 'and': case 'or': case 'xor': return n(`  %n = ${op} ${it} %o, %v`);
    case 'exch': return { code: '', value: '%v' };
    case 'max': case 'nanmax': return pick(signed ? 'sgt' : 'ugt');
    case 'min': case 'nanmin': return pick(signed ? 'slt' : 'ult');
    case 'inc': case 'dec': return n(wrapNext(op, 'n'));
    case 'cas': return n(`  %same = icmp eq ${it} %o, %e\n  %n = select i1 %same, ${it} %v, ${it} %o`);
    default: throw new Error(`numbat internal error: atomic ${op} on integers`);
  }
}

/** atomicHelperIR's `plain` form: the atomic form's operation on an ordinary load, then a store. */
function plainHelperIR(name: string, op: AtomicOp, elem: ElemType, as: string, attrs: string): string {
  const int = intTypes(elem, as);
  if (int) {
    const { it, p, align } = int;
    const next = intNext(op, it, int.signed);
    return `define ${it} @${name}(${p} %p, ${it} %v${op === 'cas' ? `, ${it} %e` : ''}) ${attrs} {
  %o = load ${it}, ${p} %p, align ${align}
${next.code ? `${next.code}\n` : ''}  store ${it} ${next.value}, ${p} %p, align ${align}
  ret ${it} %o
}
`;
  }
  const { ft, it, align, fp, ip } = floatTypes(elem, as);
  // The new element's bits in %ni, from the old element (%of, bits %oi) and the operand %v: as
  // the atomic form computes them (sub as the addition of -v, cas by value, NaN ignored by nanmin/nanmax).
  let next: string;
  switch (op) {
    case 'add': next = `  %nf = fadd ${ft} %of, %v\n  %ni = bitcast ${ft} %nf to ${it}`; break;
    case 'sub': next = `  %neg = fneg ${ft} %v\n  %nf = fadd ${ft} %of, %neg\n  %ni = bitcast ${ft} %nf to ${it}`; break;
    case 'exch': next = `  %ni = bitcast ${ft} %v to ${it}`; break;
    case 'cas': next = `  %same = fcmp oeq ${ft} %of, %e\n  %vi = bitcast ${ft} %v to ${it}\n  %ni = select i1 %same, ${it} %vi, ${it} %oi`; break;
    case 'nanmin': case 'nanmax': next = `${nanMinMax(op, ft, it, 'nf')}\n  %ni = bitcast ${ft} %nf to ${it}`; break;
    default: throw new Error(`numbat internal error: atomic ${op} on ${elem}`);
  }
  return `define ${ft} @${name}(${fp} %p, ${ft} %v${op === 'cas' ? `, ${ft} %e` : ''}) ${attrs} {
  %ip = bitcast ${fp} %p to ${ip}
  %oi = load ${it}, ${ip} %ip, align ${align}
  %of = bitcast ${it} %oi to ${ft}
${next}
  store ${it} %ni, ${ip} %ip, align ${align}
  ret ${ft} %of
}
`;
}

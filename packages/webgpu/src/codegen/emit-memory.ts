// The WGSL emitter's array accesses: checked indices, loads and stores for each
// storage (plain, atomic, f32 bits in atomic<u32>, 8/16-bit packed in u32 words),
// and the atomic operations WGSL lacks, as compare-exchange loops.
//
// No Node-only imports here: a browser build uses this file as is.

import type { ArrayRef, AtomicExpr, ElemType, ScalarType } from '@numbat/core';
import { EmitterState, type ArrInfo } from './emit-state.js';

export abstract class MemoryEmitter extends EmitterState {
  // ---------------------------------------------------------------- memory

  /** A checked index (u32) for a load, or the raw index when bounds checks are off. */
  protected index(r: ArrayRef, idx: string, idxType: ScalarType, forHelper: boolean, inBounds = false): string {
    const info = this.arr(r);
    if (this.opts.boundscheck && !inBounds) {
      this.usesErrors = true;
      const site = this.site({ kind: 'oob', array: info.user, line: this.loc?.line, signed: idxType === 'i32' });
      return `nb_ck_${idxType === 'i32' ? 'i' : 'u'}(${idx}, ${info.len}, ${site}u)`;
    }
    return forHelper && idxType === 'i32' ? `bitcast<u32>(${idx})` : idx;
  }

  /** A bool expression that checks (and reports) an index whose use must be skipped when out of range. */
  protected inBounds(r: ArrayRef, idx: string, idxType: ScalarType): string {
    const info = this.arr(r);
    this.usesErrors = true;
    const site = this.site({ kind: 'oob', array: info.user, line: this.loc?.line, signed: idxType === 'i32' });
    return `nb_ok_${idxType === 'i32' ? 'i' : 'u'}(${idx}, ${info.len}, ${site}u)`;
  }

  protected loadAt(info: ArrInfo, ix: string): string {
    switch (info.storage) {
      case 'plain': case 'widened': return `${info.name}[${ix}]`;
      case 'atomic': return `atomicLoad(&${info.name}[${ix}])`;
      case 'atomicf32': return `bitcast<f32>(atomicLoad(&${info.name}[${ix}]))`;
      case 'packed': case 'packedAtomic': return `${this.packedLoader(info)}(${ix})`;
    }
  }

  protected packedLoader(info: ArrInfo): string {
    const fn = `nb_ld_${info.name}`;
    if (!this.generated.has(fn)) {
      const { byte, word, shift } = packedSlot(info.elem);
      const w = info.storage === 'packedAtomic' ? `atomicLoad(&${info.name}[${word}])` : `${info.name}[${word}]`;
      const bits = byte ? '8u' : '16u';
      const ext = info.elem === 'i8' || info.elem === 'i16' ? `extractBits(bitcast<i32>(w), ${shift}, ${bits})` : `bitcast<i32>(extractBits(w, ${shift}, ${bits}))`;
      this.generated.set(fn, `fn ${fn}(i: u32) -> i32 {\n  let w = ${w};\n  return ${ext};\n}`);
    }
    return fn;
  }

  protected packedStorer(info: ArrInfo): string {
    const fn = `nb_st_${info.name}`;
    if (!this.generated.has(fn)) {
      const { byte, word, shift } = packedSlot(info.elem);
      const mask = byte ? '0xffu' : '0xffffu';
      // Neighbouring elements share a word and may be written by other threads
      // at the same time: clear, then set, this element's bits atomically.
      this.generated.set(fn, `fn ${fn}(i: u32, v: i32) {\n  let sh = ${shift};\n  let m = ${mask} << sh;\n  atomicAnd(&${info.name}[${word}], ~m);\n  atomicOr(&${info.name}[${word}], (bitcast<u32>(v) << sh) & m);\n}`);
    }
    return fn;
  }

  protected storeAt(info: ArrInfo, ix: string, v: string): string {
    switch (info.storage) {
      case 'plain': return `${info.name}[${ix}] = ${v};`;
      // An 8/16-bit store's value is already in the element's range (core's 'narrow-store' rule).
      case 'widened': return `${info.name}[${ix}] = ${v};`;
      case 'atomic': return `atomicStore(&${info.name}[${ix}], ${v});`;
      case 'atomicf32': return `atomicStore(&${info.name}[${ix}], bitcast<u32>(${v}));`;
      case 'packed': return this.fail('store to read-only array', `numbat internal error: store to read-only array '${info.user}'`);
      case 'packedAtomic': return `${this.packedStorer(info)}(${ix}, ${v});`;
    }
  }

  // ---------------------------------------------------------------- atomics

  protected atomicCall(info: ArrInfo, e: AtomicExpr, ix: string, operands: string[]): string {
    const ptr = `&${info.name}[${ix}]`;
    if (info.storage === 'atomicf32') {
      if (e.op === 'exch') return `bitcast<f32>(atomicExchange(${ptr}, bitcast<u32>(${operands[0]})))`;
      return `${this.f32AtomicHelper(info, e.op)}(${ix}, ${operands.join(', ')})`;
    }
    if (info.storage !== 'atomic') return this.fail('atomic', `numbat internal error: atomic on non-atomic array '${info.user}'`, e.loc);
    switch (e.op) {
      case 'add': return `atomicAdd(${ptr}, ${operands[0]})`;
      case 'sub': return `atomicSub(${ptr}, ${operands[0]})`;
      case 'max': return `atomicMax(${ptr}, ${operands[0]})`;
      case 'min': return `atomicMin(${ptr}, ${operands[0]})`;
      case 'and': return `atomicAnd(${ptr}, ${operands[0]})`;
      case 'or': return `atomicOr(${ptr}, ${operands[0]})`;
      case 'xor': return `atomicXor(${ptr}, ${operands[0]})`;
      case 'exch': return `atomicExchange(${ptr}, ${operands[0]})`;
      // No NaN in integers: nanmin/nanmax are min/max (the frontend already maps them).
      case 'nanmin': return `atomicMin(${ptr}, ${operands[0]})`;
      case 'nanmax': return `atomicMax(${ptr}, ${operands[0]})`;
      case 'inc': case 'dec': return `${this.wrapCounterHelper(info, e.op)}(${ix}, ${operands[0]})`;
      case 'cas': {
        const fn = `nb_cas_${info.name}`;
        if (!this.generated.has(fn)) {
          const T = info.elem;
          // A weak compare-exchange may fail spuriously: retry while the old value still matches.
          this.generated.set(fn, `fn ${fn}(i: u32, expected: ${T}, v: ${T}) -> ${T} {
  loop {
    let r = atomicCompareExchangeWeak(&${info.name}[i], expected, v);
    if (r.exchanged || r.old_value != expected) { return r.old_value; }
  }
}`);
        }
        return `${fn}(${ix}, ${operands.join(', ')})`;
      }
    }
  }

  /** CUDA's atomicInc/atomicDec on u32 (WGSL has neither), by compare-exchange loop; the new value as ir/semantics.ts says. */
  protected wrapCounterHelper(info: ArrInfo, op: 'inc' | 'dec'): string {
    const fn = `nb_atomic_${op}_${info.name}`;
    if (this.generated.has(fn)) return fn;
    if (info.elem !== 'u32') return this.fail(`atomic ${op} on ${info.elem}`, `numbat internal error: cuda.atomic.${op} on '${info.user}' (${info.elem})`);
    const next = op === 'inc' ? 'select(old + 1u, 0u, old >= v)' : 'select(old - 1u, v, old == 0u || old > v)';
    this.generated.set(fn, `fn ${fn}(i: u32, v: u32) -> u32 {
  var old = atomicLoad(&${info.name}[i]);
  loop {
    let r = atomicCompareExchangeWeak(&${info.name}[i], old, ${next});
    if (r.exchanged) { return old; }
    old = r.old_value;
  }
}`);
    return fn;
  }

  /** f32 atomics on bit-cast atomic<u32>, by compare-exchange loop (nanmin/nanmax ignore a NaN; min/max come legalised). */
  protected f32AtomicHelper(info: ArrInfo, op: AtomicExpr['op']): string {
    const fn = `nb_atomic_${op}_${info.name}`;
    if (this.generated.has(fn)) return fn;
    const p = `&${info.name}[i]`;
    if (op === 'cas') {
      // JS compares values (===): -0 matches +0 and NaN matches nothing.
      this.generated.set(fn, `fn ${fn}(i: u32, expected: f32, v: f32) -> f32 {
  var old = atomicLoad(${p});
  loop {
    if (bitcast<f32>(old) != expected) { return bitcast<f32>(old); }
    let r = atomicCompareExchangeWeak(${p}, old, bitcast<u32>(v));
    if (r.exchanged) { return bitcast<f32>(old); }
    old = r.old_value;
  }
}`);
      return fn;
    }
    let next: string;
    switch (op) {
      case 'add': next = 'bitcast<f32>(old) + v'; break;
      case 'sub': next = 'bitcast<f32>(old) - v'; break;
      // Math.min/max arrive as a loop over cas (core's 'atomic-float-minmax' rule).
      case 'max': case 'min': return this.fail(`atomic ${op} on f32`, `numbat internal error: atomic ${op} on f32 reached the WGSL emitter (legalisation writes it as a cas loop)`);
      case 'nanmax': case 'nanmin': {
        const nan = this.helpers.use('nb_isnan');
        const m = this.helpers.use(op === 'nanmax' ? 'nb_fmax' : 'nb_fmin');
        next = `select(select(${m}(bitcast<f32>(old), v), v, ${nan}(bitcast<f32>(old))), bitcast<f32>(old), ${nan}(v))`;
        break;
      }
      default: return this.fail(`atomic ${op} on f32`, `cuda.atomic.${op} needs an integer array ('${info.user}' holds f32)`);
    }
    this.generated.set(fn, `fn ${fn}(i: u32, v: f32) -> f32 {
  var old = atomicLoad(${p});
  loop {
    let r = atomicCompareExchangeWeak(${p}, old, bitcast<u32>(${next}));
    if (r.exchanged) { return bitcast<f32>(old); }
    old = r.old_value;
  }
}`);
    return fn;
  }

}

/** Where element `i` of a packed 8/16-bit array lies: its u32 word and its bit offset there (WGSL expressions of `i`). */
function packedSlot(elem: ElemType): { byte: boolean; word: string; shift: string } {
  const byte = elem === 'i8' || elem === 'u8';
  return { byte, word: byte ? 'i >> 2u' : 'i >> 1u', shift: byte ? '(i & 3u) * 8u' : '(i & 1u) * 16u' };
}

// LLVM vector types and values for lane groups: a varying value is one
// `<W x T>` (one instruction per operation for all lanes) instead of W scalar
// copies for the SLP vectoriser to repack.
//
// llvm-bindings cannot make vector types nor build insertelement /
// extractelement. The types come from a one-line declaration parsed into the
// kernel's context (types are uniqued per context, so they are the builder's
// types); lanes go in and out through calls of always-inlined functions of
// textual IR (lane-moves-ir.ts), which are those instructions.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScalarType } from '@numbat/core';
import type { LLVM, LLVMNS } from '@numbat/llvm';
import { Emitter } from '@numbat/llvm';

type Value = LLVMNS.Value;
type Type = LLVMNS.Type;

export interface LaneVectorTypes {
  readonly W: number;
  readonly i1: Type; readonly i8: Type; readonly i16: Type; readonly i32: Type; readonly i64: Type;
  readonly f32: Type; readonly f64: Type;
  /** Pointers to the vector types (address space 0). */
  ptr(t: Type): Type;
}

const typeCache = new WeakMap<LLVMNS.LLVMContext, Map<number, LaneVectorTypes>>();
let stubDir: string | undefined;

/** The `<W x T>` types of `ctx`. */
export function laneVectorTypes(llvm: LLVM, ctx: LLVMNS.LLVMContext, W: number): LaneVectorTypes {
  let byW = typeCache.get(ctx);
  if (!byW) typeCache.set(ctx, (byW = new Map()));
  const hit = byW.get(W);
  if (hit) return hit;
  const names = ['i1', 'i8', 'i16', 'i32', 'i64', 'float', 'double'];
  stubDir ??= mkdtempSync(join(tmpdir(), 'numbat-lanes-'));
  const file = join(stubDir, `v${W}.ll`);
  writeFileSync(file, `declare void @numbat.lane.types(${names.map((n) => `<${W} x ${n}>`).join(', ')})\n`);
  const stub = llvm.parseIRFile(file, new llvm.SMDiagnostic(), ctx);
  const fn = stub?.getFunction('numbat.lane.types');
  if (!fn) throw new Error(`numbat internal error: could not make the LLVM vector types of ${W} lanes`);
  const [i1, i8, i16, i32, i64, f32, f64] = names.map((_, k) => fn.getArg(k).getType());
  const types: LaneVectorTypes = { W, i1, i8, i16, i32, i64, f32, f64, ptr: (t) => llvm.PointerType.get(t, 0) };
  byW.set(W, types);
  return types;
}

/**
 * The JS-exact building blocks of emit.ts on `<W x T>` values: the same code,
 * with every type and constant a vector (LLVM splats scalar constants of a
 * vector type) and intrinsics named for vectors (`llvm.floor.v8f32`).
 */
export class VectorEmitter extends Emitter {
  constructor(llvm: LLVM, ctx: LLVMNS.LLVMContext, module: LLVMNS.Module, b: LLVMNS.IRBuilder, readonly vt: LaneVectorTypes) {
    super(llvm, ctx, module, b);
    const self = this as unknown as Record<string, Type>;
    for (const k of ['i1', 'i8', 'i16', 'i32', 'i64', 'f32', 'f64'] as const) self[k] = vt[k];
  }

  override bool(v: boolean): Value {
    return this.llvm.ConstantInt.get(this.vt.i1, v ? 1 : 0, false);
  }

  override intrinsic(name: string, t: ScalarType, args: Value[]): Value {
    const suffix = t === 'f32' ? 'f32' : t === 'f64' ? 'f64' : 'i32';
    return this.call(`${name}.v${this.vt.W}${suffix}`, this.scalar(t), args);
  }
}

// The shared lowering (@numbat/llvm) on its own: a minimal test target
// (one function per thread) lowered, linked with atomic helpers, verified,
// optimised and emitted for x86-64 and AArch64 (and NVPTX, which cuda uses).
import { describe, expect, it } from 'vitest';
import { KernelLowerer, LIBM_MATH, NativeModule, allocaLocals, atomicHelperIR, loadLLVM, type TargetHooks } from '@numbat/llvm';
import type { KernelIR } from '@numbat/core';
import { MATH_DECLS, MATH_FNS, legalize, mathSignature } from '@numbat/core';
import { assign, bin, c, kernel, l, load, p, sp, store } from './helpers.js';

/** The lowering gets what core gives a backend: legalised IR (nothing native, as cpu and cuda declare). */
function lowerPlain(lowered: KernelIR, triple: string): string {
  const ir = legalize(lowered);
  const llvm = loadLLVM();
  const ctx = new llvm.LLVMContext();
  const mod = new llvm.Module(ir.name, ctx);
  const b = new llvm.IRBuilder(ctx);
  const i32 = b.getInt32Ty();
  const ptrs = ir.params.map((q) => (q.type.kind === 'array' ? b.getInt8PtrTy() : i32));
  const fn = llvm.Function.Create(llvm.FunctionType.get(b.getVoidTy(), [i32, i32, ...ptrs], false), llvm.Function.LinkageTypes.ExternalLinkage, ir.name, mod);
  b.SetInsertPoint(llvm.BasicBlock.Create(ctx, 'entry', fn));
  let locals = new Map<number, any>();
  const hooks: TargetHooks = {
    param: (i) => fn.getArg(2 + i),
    special: (reg) => (reg === 'threadIdx' ? fn.getArg(0) : reg === 'blockDim' ? b.getInt32(64) : b.getInt32(0)),
    localPtr: (id) => locals.get(id),
    elementPtr: (ref, idx) => {
      if (ref.space === 'const') { // legalisation adds tables (the f64 sin/cos/tan huge-argument digits)
        const a = ir.arrays.find((x) => x.id === ref.id)!;
        const et = low.e.elem(a.elem);
        const values = (a.values ?? []).map((v) => (a.elem === 'f32' || a.elem === 'f64' ? llvm.ConstantFP.get(et, v) : llvm.ConstantInt.get(et, v, true)));
        const ty = llvm.ArrayType.get(et, values.length);
        const g = new llvm.GlobalVariable(mod, ty, true, llvm.GlobalValue.LinkageTypes.PrivateLinkage, llvm.ConstantArray.get(ty, values), `const.${a.name}`);
        return b.CreateGEP(et, b.CreateBitCast(g, low.e.ptr(et)), idx);
      }
      if (ref.space !== 'global') throw new Error('test target: global and const arrays only');
      const et = low.e.elem(low.elemOf(ref));
      return b.CreateGEP(et, b.CreateBitCast(fn.getArg(2 + ref.param), low.e.ptr(et)), idx);
    },
    arrayLength: () => fn.getArg(1),
    boundsFail: () => { b.CreateRetVoid(); },
    barrier: () => {},
    returnFromKernel: () => { b.CreateRetVoid(); },
    addressSpace: () => 0,
    math: LIBM_MATH,
  };
  const low = new KernelLowerer(llvm, ctx, mod, b, fn, ir, hooks, { boundscheck: true });
  locals = allocaLocals(low.e, ir);
  low.stmts(ir.body);
  if (!low.terminated()) b.CreateRetVoid();
  expect(llvm.verifyModule(mod)).toBe(false); // llvm-bindings: true means broken
  const nm = NativeModule.parse(mod.print(), ir.name);
  for (const [, a] of low.atomicsUsed) nm.link(atomicHelperIR(a.op, a.elem, a.addrSpace), 'atomics');
  const spec = { triple, cpu: triple.startsWith('x86') ? 'x86-64' : triple.startsWith('nvptx') ? 'sm_70' : 'generic', features: '' };
  nm.setTarget(spec);
  expect(nm.verify()).toBeUndefined();
  nm.optimize(spec);
  expect(nm.verify()).toBeUndefined();
  const asm = nm.emit(spec, 'asm').toString();
  nm.dispose();
  return asm;
}

const saxpyLike: KernelIR = kernel('k', [{ kind: 'array', elem: 'f32' }, { kind: 'array', elem: 'i32' }], [
  assign(0, sp('threadIdx')),
  { kind: 'loop', cond: bin('lt', l(1), c(10)), body: [
    { kind: 'if', cond: bin('eq', bin('rem', l(1), c(3)), c(0)), then: [{ kind: 'continue' }], else: [] },
    store(0, l(0), bin('add', load(0, l(0), 'f32'), { kind: 'convert', x: l(1), type: 'f32' })),
  ], update: [assign(1, bin('add', l(1), c(1)))] },
  { kind: 'expr', expr: { kind: 'atomic', op: 'add', array: { space: 'global', param: 1 }, index: c(0), value: c(1), type: 'i32' } },
  { kind: 'expr', expr: { kind: 'atomic', op: 'max', array: { space: 'global', param: 0 }, index: c(0), value: c(1.5, 'f32'), type: 'f32' } },
  store(1, c(1), { kind: 'convert', x: { kind: 'math', fn: 'round', args: [load(0, c(2), 'f32')], type: 'f32' }, type: 'i32' }),
  store(1, c(2), bin('truncdiv', load(1, c(3), 'i32'), load(1, c(4), 'i32'))),
], { locals: [{ id: 0, name: 'i', type: 'i32' }, { id: 1, name: 'j', type: 'i32' }] });

describe('shared LLVM lowering', () => {
  it('lowers, links atomics and emits x86-64', () => {
    const asm = lowerPlain(saxpyLike, 'x86_64-pc-linux-gnu');
    expect(asm).toMatch(/lock/); // atomicrmw add → lock xadd; the f32 max loop → lock cmpxchg
    expect(asm).toMatch(/cmpxchg/);
  });
  it('produces valid AArch64 and NVPTX code from the same IR', () => {
    expect(lowerPlain(saxpyLike, 'aarch64-unknown-linux-gnu')).toMatch(/\bld|ldr|ldax|cas/);
    expect(lowerPlain(saxpyLike, 'nvptx64-nvidia-cuda')).toMatch(/atom\./);
  });
  it('has one math lowering per MathFn', () => {
    expect(Object.keys(LIBM_MATH).sort()).toEqual([...MATH_FNS].sort());
  });
  it('lowers every math function on f32 and f64 (and ints where allowed)', () => {
    const body = MATH_FNS.flatMap((fn, i) => (['f32', 'f64'] as const).map((t) => {
      // Argument and result types from each function's declared rule (arity 1-3, ldexp's i32 exponent);
      // bit intrinsics: a 32-bit operand in the f32 round, a 64-bit one in the f64 round.
      const d = MATH_DECLS[fn];
      const bits = d.rule === 'bits' || d.rule === 'bitsSame';
      const base = bits ? (t === 'f64' ? 'i64' : 'i32') : d.rule === 'i32' || d.rule === 'u32' ? d.rule : t;
      const sig = bits ? { arg: base, result: fn === 'brev' ? base : 'i32', args: undefined } : mathSignature(fn, Array(d.arity).fill(base), t);
      const argTypes = sig.args ?? Array(d.arity).fill(sig.arg);
      const args = argTypes.map((at: string) => (at === 'i64' ? { kind: 'const' as const, type: 'i64' as const, value: BigInt(i) * 0x100000001n } : at === 'i32' || at === 'u32' ? c(i, at) : c(0.5 + i, at)));
      return assign(0, { kind: 'convert', x: { kind: 'math', fn, args, type: sig.result }, type: 'f64' });
    }));
    const asm = lowerPlain(kernel('m', [], [...body, assign(0, p(0, 'f64'))].slice(0, -1), { locals: [{ id: 0, name: 'x', type: 'f64' }] }), 'x86_64-pc-linux-gnu');
    expect(asm.length).toBeGreaterThan(0);
  });
});

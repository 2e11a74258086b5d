// The fitted optimisation pipeline (src/passes.ts) does what numbat's IR needs
// of it: helpers inlined and gone, locals in registers, loop invariants
// hoisted, the ten-round loop rolled on cpu and unrolled on cuda, and
// libdevice's __nvvm_reflect resolved before NVPTX sees it.
import { describe, expect, it } from 'vitest';
import { fittedPipeline, NativeModule, type TargetSpec } from '@numbat/llvm';

const X86: TargetSpec = { triple: 'x86_64-pc-linux-gnu', cpu: 'x86-64', features: '+sse2', reloc: 2 };
const NVPTX: TargetSpec = { triple: 'nvptx64-nvidia-cuda', cpu: 'sm_80', features: '+ptx75', optLevel: 3 };

/**
 * A kernel-shaped function: a local in an alloca, an always-inline helper
 * called in a loop with a loop-invariant argument product, and an inner loop
 * of ten rounds (a constant trip count, like Philox's).
 */
const KERNEL = `
define internal i32 @helper(i32 %x, i32 %k) alwaysinline nounwind {
entry:
  %m = mul i32 %x, %k
  %r = xor i32 %m, 7
  ret i32 %r
}

define i32 @kernel(i32* %out, i32 %n, i32 %a, i32 %b) nounwind {
entry:
  %acc = alloca i32
  store i32 0, i32* %acc
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i.next, %rounds.end ]
  %inv = mul i32 %a, %b
  %v = load i32, i32* %acc
  %h = call i32 @helper(i32 %v, i32 %inv)
  br label %rounds
rounds:
  %j = phi i32 [ 0, %loop ], [ %j.next, %rounds ]
  %x = phi i32 [ %h, %loop ], [ %x.next, %rounds ]
  %x.mul = mul i32 %x, -766435501
  %x.next = add i32 %x.mul, %j
  %j.next = add i32 %j, 1
  %more = icmp ult i32 %j.next, 10
  br i1 %more, label %rounds, label %rounds.end
rounds.end:
  store i32 %x.next, i32* %acc
  %i.next = add i32 %i, 1
  %go = icmp slt i32 %i.next, %n
  br i1 %go, label %loop, label %exit
exit:
  %res = load i32, i32* %acc
  store i32 %res, i32* %out
  ret i32 0
}
`;

function optimised(text: string, spec: TargetSpec, passes: string): string {
  const nm = NativeModule.parse(text, 'passes-test');
  try {
    nm.setTarget(spec);
    nm.optimize(spec, passes);
    expect(nm.verify()).toBeUndefined();
    return nm.print();
  } finally {
    nm.dispose();
  }
}

/** The body of @kernel's outer loop block (where the invariant must no longer be). */
const loopBody = (ir: string): string => /\n(loop[\w.]*):[^\n]*\n([\s\S]*?)\n\n/.exec(ir.slice(ir.indexOf('define i32 @kernel')))?.[2] ?? '';

describe('fitted LLVM pipeline', () => {
  it('cpu: inlines and drops the helpers, promotes the local, hoists the invariant, keeps the rounds rolled', () => {
    const ir = optimised(KERNEL, X86, fittedPipeline({ unroll: false, slp: true }));
    expect(ir).not.toMatch(/@helper/);
    expect(ir).not.toMatch(/alloca/);
    const mulsInvariant = ir.match(/mul i32 %a, %b|mul i32 %b, %a/g) ?? [];
    expect(mulsInvariant).toHaveLength(1);
    expect(loopBody(ir)).not.toMatch(/mul i32 %a, %b|mul i32 %b, %a/);
    // The ten rounds stay a loop: its block, one multiply by the round constant.
    expect(ir).toMatch(/\nrounds:/);
    expect(ir.match(/-766435501/g)).toHaveLength(1);
  });

  it('cuda: resolves __nvvm_reflect and unrolls the ten rounds', () => {
    const reflecting = `${KERNEL}
declare i32 @__nvvm_reflect(i8*)
@ftz = private unnamed_addr addrspace(1) constant [11 x i8] c"__CUDA_FTZ\\00"
define i32 @uses_reflect() {
  %p = addrspacecast i8 addrspace(1)* getelementptr ([11 x i8], [11 x i8] addrspace(1)* @ftz, i32 0, i32 0) to i8*
  %r = call i32 @__nvvm_reflect(i8* %p)
  ret i32 %r
}
`;
    const ir = optimised(reflecting, NVPTX, fittedPipeline({ early: ['nvvm-reflect'], unroll: true, slp: false }));
    expect(ir).not.toMatch(/call i32 @__nvvm_reflect/);
    expect(ir).not.toMatch(/@helper/);
    // Unrolled (and folded): no rounds loop left.
    expect(ir).not.toMatch(/\nrounds:/);
    expect(ir).not.toMatch(/icmp ult i32 %j\.next, 10/);
  });

  it('both pipelines emit code', () => {
    for (const [spec, passes] of [[X86, fittedPipeline({ unroll: false, slp: true })], [NVPTX, fittedPipeline({ early: ['nvvm-reflect'], unroll: true, slp: false })]] as const) {
      const nm = NativeModule.parse(KERNEL, 'emit');
      try {
        nm.setTarget(spec);
        nm.optimize(spec, passes);
        expect(nm.emit(spec, 'asm').toString()).toMatch(/kernel/);
      } finally {
        nm.dispose();
      }
    }
  });
});

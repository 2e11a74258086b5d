// The compile thread (src/compile-thread.ts): a module finished on a worker
// thread gives the object the main thread would make of it, byte for byte;
// its helper modules are linked first; an invalid module's verifier message
// comes back as the job's error, and the thread keeps taking jobs after it.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { LIBLLVM_PATH, NativeModule, type TargetSpec } from '@numbat/llvm';

const X86: TargetSpec = { triple: 'x86_64-pc-linux-gnu', cpu: 'x86-64', features: '+sse2', reloc: 2 };
const PASSES = 'function(sroa,instcombine)';

const KERNEL = `
declare i32 @helper(i32)

define i32 @kernel(i32 %x) nounwind {
entry:
  %a = alloca i32
  store i32 %x, i32* %a
  %v = load i32, i32* %a
  %h = call i32 @helper(i32 %v)
  ret i32 %h
}
`;
const HELPER = `
define i32 @helper(i32 %x) nounwind {
  %m = mul i32 %x, 3
  ret i32 %m
}
`;
// parses, but %x does not dominate its use
const INVALID = `
define i32 @g(i1 %c) {
entry:
  br i1 %c, label %a, label %b
a:
  %x = add i32 1, 2
  br label %b
b:
  ret i32 %x
}
`;

async function ready(): Promise<void> {
  NativeModule.startCompileThread();
  for (let i = 0; i < 400 && !NativeModule.compileThreadState().ready; i++) await new Promise((r) => setTimeout(r, 25));
}

describe.skipIf(!existsSync(LIBLLVM_PATH))('the compile thread', () => {
  it('makes the object the main thread makes, with the helper modules linked', async () => {
    await ready();
    expect(NativeModule.compileThreadState().ready).toBe(true);
    const job = { bytes: KERNEL, name: 'k', links: [{ text: HELPER, name: 'helpers' }], target: X86, passes: PASSES };
    const there = await NativeModule.finishElsewhere(job)!;
    const nm = NativeModule.parse(KERNEL, 'k');
    try {
      nm.link(HELPER, 'helpers');
      nm.setTarget(X86);
      expect(nm.verify()).toBeUndefined();
      nm.optimize(X86, PASSES);
      const here = nm.emit(X86, 'obj');
      expect(there.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
      expect(Buffer.compare(there, here)).toBe(0);
    } finally {
      nm.dispose();
    }
  });

  it('answers an invalid module with the verifier message, and goes on', async () => {
    await ready();
    const jobs = NativeModule.compileThreadState().jobs;
    await expect(NativeModule.finishElsewhere({ bytes: INVALID, name: 'bad', links: [], target: X86, passes: PASSES })!).rejects.toThrow(/invalid LLVM module 'bad'.*dominate/s);
    const ok = await NativeModule.finishElsewhere({ bytes: HELPER, name: 'h', links: [], target: X86, passes: PASSES })!;
    expect(ok.length).toBeGreaterThan(0);
    expect(NativeModule.compileThreadState().jobs).toBe(jobs + 2);
  });
});

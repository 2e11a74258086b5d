// Pool finishing (src/pool-finish.ts): a module finished on libuv's thread pool
// gives the object the main thread would make of it, byte for byte; its helper
// modules are linked first; an invalid module's verifier message comes back as
// the job's error, and later jobs go on; several run at once.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import koffi from 'koffi';
import { LIBLLVM_PATH, NativeModule, POOL_STACK_BYTES, type TargetSpec } from '@numbat/llvm';

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

describe.skipIf(!existsSync(LIBLLVM_PATH))('finishing a module on the thread pool', () => {
  it('raises koffi\'s async stack when @numbat/llvm is imported before any library is loaded', () => {
    expect(koffi.config().async_stack_size).toBe(POOL_STACK_BYTES);
    expect(NativeModule.poolFinishState().available).toBe(true);
  });

  it('makes the object the main thread makes, with the helper modules linked', async () => {
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
    await expect(NativeModule.finishElsewhere({ bytes: INVALID, name: 'bad', links: [], target: X86, passes: PASSES })!).rejects.toThrow(/invalid LLVM module 'bad'.*dominate/s);
    const jobs = NativeModule.poolFinishState().jobs;
    const ok = await NativeModule.finishElsewhere({ bytes: HELPER, name: 'h', links: [], target: X86, passes: PASSES })!;
    expect(ok.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(NativeModule.poolFinishState()).toMatchObject({ jobs: jobs + 1, inFlight: 0 });
  });

  it('tells when the passes have handed over to the code generator (before the object), and when a job fails', async () => {
    const seen: string[] = [];
    const job = { bytes: KERNEL, name: 'k', links: [{ text: HELPER, name: 'helpers' }], target: X86, passes: PASSES, onPassesDone: () => { seen.push('passes'); } };
    const object = NativeModule.finishElsewhere(job)!.then((o) => { seen.push('object'); return o; });
    expect(seen).toEqual([]);
    await object;
    expect(seen).toEqual(['passes', 'object']);
    const failed: string[] = [];
    await expect(NativeModule.finishElsewhere({ bytes: HELPER, name: 'h', links: [], target: X86, passes: 'no-such-pass', onPassesDone: () => { failed.push('called'); } })!).rejects.toThrow(/no-such-pass/);
    expect(failed).toEqual(['called']);
  });

  it('answers a pipeline LLVM refuses with its message, and frees the job', async () => {
    const jobs = NativeModule.poolFinishState().jobs;
    await expect(NativeModule.finishElsewhere({ bytes: HELPER, name: 'h', links: [], target: X86, passes: 'no-such-pass' })!).rejects.toThrow(/passes 'no-such-pass' failed on 'h'/);
    expect(NativeModule.poolFinishState()).toMatchObject({ jobs: jobs + 1, inFlight: 0 });
  });

  it('takes several jobs at once, each with its own target machine', async () => {
    // a module large enough that its passes take a while: 300 functions of a few instructions
    const big = Array.from({ length: 300 }, (_, i) => `define i32 @f${i}(i32 %x) nounwind {\n  %a = mul i32 %x, ${i + 3}\n  %b = add i32 %a, ${i}\n  %c = xor i32 %b, %x\n  ret i32 %c\n}\n`).join('');
    const jobs = Array.from({ length: 4 }, (_, i) => NativeModule.finishElsewhere({ bytes: big, name: "big", links: [], target: X86, passes: 'default<O2>' })!);
    expect(NativeModule.poolFinishState().inFlight).toBe(4);
    const objects = await Promise.all(jobs);
    for (const o of objects) expect(Buffer.compare(o, objects[0])).toBe(0);
    expect(NativeModule.poolFinishState().inFlight).toBe(0);
  });
});

describe.skipIf(!existsSync(LIBLLVM_PATH))('where the process loaded a library through koffi before @numbat/llvm', () => {
  it('keeps koffi\'s stack as it was and finishes modules on the main thread (finishElsewhere answers undefined)', () => {
    const code = `import koffi from 'koffi'; koffi.load('libc.so.6');
      const { NativeModule } = await import('@numbat/llvm');
      const job = { bytes: ${JSON.stringify(HELPER)}, name: 'h', links: [], target: ${JSON.stringify(X86)}, passes: 'default<O1>' };
      console.log(JSON.stringify({ stack: koffi.config().async_stack_size, state: NativeModule.poolFinishState(), job: NativeModule.finishElsewhere(job) === undefined }));`;
    const p = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', cwd: import.meta.dirname });
    expect(p.status, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout)).toEqual({ stack: 128 * 1024, state: { available: false, inFlight: 0, jobs: 0 }, job: true });
  });
});

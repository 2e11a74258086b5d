// Minified bundles (issue 17: "'S' is not defined in the kernel"): the build
// plugin (@numbat/core/build) records each kernel's original source and
// bindings. Bundled and minified with esbuild for node (cpu registered
// statically, run from a temp directory outside the repository: no @numbat/*
// resolvable there) and for the browser platform (core only, run on sim), by
// `vite build` of a page and by webpack; each runs kernels with cuda, random,
// reduce, device functions and global constants, and must print what the
// unbundled run prints. Without the plugin, the kernel fails with a numbat
// error naming the plugin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { targetAvailability } from '@numbat/core';
import { esbuildPlugin, vitePlugin } from '@numbat/core/build';

const ROOT = resolve(import.meta.dirname, '..');
const FIXTURES = join(ROOT, 'test/fixtures/bundle-minified');
const cpu = await targetAvailability('cpu');
const targets = cpu.ok ? ['sim', 'cpu'] : ['sim'];
const NATIVE = ['koffi', 'llvm-bindings', 'webgpu'];
let dir: string;

function run(script: string, args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [script, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NUMBAT_TARGET: '' }, timeout: 120_000 });
}

let plain: Record<string, unknown>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'numbat-minified-'));
  mkdirSync(join(dir, 'node_modules'));
  for (const native of ['koffi', 'llvm-bindings']) symlinkSync(join(ROOT, 'node_modules', native), join(dir, 'node_modules', native), 'dir');
  const common = { bundle: true, minify: true, format: 'esm' as const, logLevel: 'silent' as const };
  await build({ ...common, entryPoints: [join(FIXTURES, 'node-entry.mjs')], outfile: join(dir, 'node.mjs'), platform: 'node', external: NATIVE, plugins: [esbuildPlugin()] });
  await build({ ...common, entryPoints: [join(FIXTURES, 'node-entry.mjs')], outfile: join(dir, 'no-plugin.mjs'), platform: 'node', external: NATIVE });
  // Core's Node-only modules (probe, disk cache) stay imports: the browser build of core is its own work.
  await build({ ...common, entryPoints: [join(FIXTURES, 'page/main.mjs')], outfile: join(dir, 'browser.mjs'), platform: 'browser', external: [...NATIVE, 'node:*'], plugins: [esbuildPlugin()] });
  const unbundled = run(join(FIXTURES, 'node-entry.mjs'), targets, ROOT);
  expect(unbundled.status, unbundled.stderr).toBe(0);
  plain = JSON.parse(unbundled.stdout);
}, 120_000);

afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

/** The results of one run equal the unbundled run's, and are plausible. */
function expectResults(got: Record<string, any>, want: string[]) {
  for (const t of want) {
    expect(got[t]).toEqual(plain[t]);
    // out[i] = 3·clamp(u)·w[i % 4] + i % 4, u uniform in [0, 1), w = 0.5, 1, 2, 4: mean 1.5 + 1.5·1.875 per element.
    expect(got[t].sum).toBeGreaterThan(3700);
    expect(got[t].sum).toBeLessThan(4600);
    expect(got[t].bins.reduce((a: number, b: number) => a + b, 0)).toBe(1000);
    expect(got[t].shifted).toBe(10.75);
    expect(got[t].first).toEqual((plain as any).sim.first);
  }
}

describe(`minified bundles with the plugin, outside the repository, on ${targets.join(', ')}${cpu.ok ? '' : ` (cpu skipped: ${cpu.reason})`}`, () => {
  it('esbuild --bundle --minify --platform=node: results equal the unbundled run', () => {
    const text = readFileSync(join(dir, 'node.mjs'), 'utf8');
    // Minified for real: the device function's original text is in the bundle once, as its record; its code is renamed.
    expect(text.split('(v, i) => clampUnit(v) * WEIGHTS[i % 4]').length - 1).toBe(1);
    expect(text.includes('.jit((v, i) =>')).toBe(false);
    const r = run(join(dir, 'node.mjs'), targets, dir);
    expect(r.status, r.stderr).toBe(0);
    expectResults(JSON.parse(r.stdout), targets);
  }, 180_000);

  it('esbuild --bundle --minify --platform=browser (core only), run on sim', () => {
    const r = run(join(dir, 'browser.mjs'), [], dir);
    expect(r.status, r.stderr).toBe(0);
    expectResults(JSON.parse(r.stdout), ['sim']);
  }, 120_000);

  it('vite build (minified) of a page; its module run on sim', async () => {
    const { build: viteBuild } = await import('vite');
    const outDir = join(dir, 'vite');
    await viteBuild({
      root: join(FIXTURES, 'page'), logLevel: 'silent', configFile: false, plugins: [vitePlugin()],
      build: { outDir, emptyOutDir: true, minify: true, target: 'esnext', modulePreload: { polyfill: false }, rollupOptions: { external: [/^node:/] } },
    });
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    // The page's entry chunk (core's Node-only probe is a chunk of its own, loaded only in Node).
    const entry = /<script type="module"[^>]*src="\/assets\/([^"]+\.js)"/.exec(html)?.[1];
    expect(entry && readdirSync(join(outDir, 'assets'))).toContain(entry);
    const r = run(join(outDir, 'assets', entry!), [], dir);
    expect(r.status, r.stderr).toBe(0);
    expectResults(JSON.parse(r.stdout), ['sim']);
  }, 180_000);

  it('webpack (production: minified) with the loader; run on sim', async () => {
    const webpack = (await import('webpack')).default;
    const outDir = join(dir, 'webpack');
    const stats = await new Promise<any>((res, rej) => webpack({
      mode: 'production', target: 'web', entry: join(FIXTURES, 'page/main.mjs'), context: ROOT,
      output: { path: outDir, filename: 'main.mjs', module: true, chunkFormat: 'module' },
      experiments: { outputModule: true, topLevelAwait: true },
      externalsType: 'module', externals: [({ request }: { request?: string }, cb: (e?: Error, r?: string) => void) => (request?.startsWith('node:') ? cb(undefined, request) : cb())],
      module: { rules: [{ test: /\.(m?js|ts)$/, use: [join(ROOT, 'packages/core/dist/build/webpack-loader.js')] }] },
      performance: { hints: false },
    }, (err: Error | null, s: any) => (err ? rej(err) : res(s))));
    expect(stats.hasErrors(), stats.toString({ all: false, errors: true })).toBe(false);
    const r = run(join(outDir, 'main.mjs'), [], dir);
    expect(r.status, r.stderr).toBe(0);
    expectResults(JSON.parse(r.stdout), ['sim']);
  }, 180_000);
});

describe('a minified bundle without the plugin', () => {
  it('fails with a numbat CompileError that names the plugin, not "\'S\' is not defined"', () => {
    const r = run(join(dir, 'no-plugin.mjs'), ['sim'], dir);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/CompileError/);
    expect(r.stderr).toMatch(/source text is minified/);
    expect(r.stderr).toMatch(/@numbat\/core\/build/);
    expect(r.stderr).toMatch(/docs\/bundlers\.md/);
    // The frame is clipped around the column, not the bundle's whole line.
    for (const line of r.stderr.split('\n')) expect(line.length).toBeLessThan(1000);
  }, 120_000);
});

// numbat in a browser: a page bundled with esbuild (platform browser, the
// `browser` export condition: @numbat/core's and @numbat/webgpu's browser
// entries) is served from a local http server and run in Debian's headless
// Chromium (--enable-unsafe-webgpu; without a GPU its adapter is SwiftShader).
// The page runs saxpy, a shared-memory reduction, `reduce` and Philox draws on
// webgpu and on the simulator, and an application's own GPUDevice and
// GPUBuffers (useDevice, cuda.external); webgpu must equal sim. Skipped, with
// the reason, when chromium is not installed (scripts/bootstrap.sh installs it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Chromium, findChromium, type Page } from './browser/chromium.js';
import { random } from '@numbat/core';
import { stateMismatches } from '@numbat/core/testsuite';
// @ts-expect-error: a plain .mjs script (the playground's server), no declarations
import { bundlePage, serveStatic } from '../examples/web/serve.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const chromiumPath = findChromium();
const skip = chromiumPath ? false : 'chromium is not installed (apt-get install chromium; scripts/bootstrap.sh does when run as root)';

type Workloads = { saxpy: number[]; partial: number[]; reduceSum: number; reduceMax: number; uniform: number[]; normal: number[]; uint32: number[]; states: number[] };
type PageResult = {
  error?: string; userAgent: string; ms: number; cpu: string;
  webgpu: { ok: boolean; device?: string; hardware?: boolean; reason?: string };
  auto: { target: string; reasons: Record<string, string> };
  results: { sim: Workloads; webgpu: Workloads };
  application: { viaNumbat: number[]; viaApplication: number[]; afterFree: number[]; refused: string; target: string };
};

describe.skipIf(skip)(`numbat in headless Chromium (${skip || chromiumPath})`, () => {
  let dir: string;
  let browser: Chromium;
  let server: { url: string; close(): Promise<void> };
  let page: Page;
  let result: PageResult;
  let bytes: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'numbat-browser-'));
    mkdirSync(join(dir, 'dist'));
    bytes = await bundlePage(join(ROOT, 'test/fixtures/browser/page.mjs'), join(dir, 'dist/page.js'));
    const html = '<!doctype html><meta charset="utf-8"><title>numbat browser test</title><body>running<script type="module" src="dist/page.js"></script>';
    writeFileSync(join(dir, 'index.html'), html);
    server = await serveStatic(dir);
    browser = new Chromium(chromiumPath!);
    page = await browser.open(server.url);
    result = await page.evaluate<PageResult>('window.numbatResult');
    console.log(`browser run (${await browser.version()}, bundle ${(bytes / 1024).toFixed(0)} KiB): webgpu ${JSON.stringify(result.webgpu)}; auto -> ${result.auto?.target}; ${result.ms} ms${result.error ? `; error ${result.error}` : ''}`);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the bundle has no Node built-ins and no Dawn', () => {
    const text = readFileSync(join(dir, 'dist/page.js'), 'utf8');
    expect(text).not.toMatch(/from\s*["']node:|require\(["']node:|import\(["']webgpu["']\)|import\(["']koffi["']\)/);
    expect(text).not.toMatch(/execFile|probe-child|quietDawn|dup2/);
  });

  it("the page ran; navigator.gpu gives an adapter and 'auto' chooses webgpu (cpu and cuda are not in a browser)", () => {
    expect(result.error, page.console.join('\n')).toBeUndefined();
    expect(result.webgpu.ok, result.webgpu.reason).toBe(true);
    expect(result.auto.target).toBe('webgpu');
    expect(result.cpu).toMatch(/not available in a browser/);
  });

  it('saxpy equals the simulator', () => {
    const { sim, webgpu } = result.results;
    expect(sim.saxpy.length).toBe(4099);
    expect(webgpu.saxpy).toEqual(sim.saxpy);
    expect(sim.saxpy[100]).toBeCloseTo(2.5 * (3 / 8) + 1 - 9 / 4, 5);
  });

  it('a shared-memory tree reduction (barriers) equals the simulator', () => {
    const { sim, webgpu } = result.results;
    expect(webgpu.partial).toEqual(sim.partial);
    // Integers 0..16 are exact in f32 whatever the order: block 0 sums i % 17 for i < 256.
    let block0 = 0;
    for (let i = 0; i < 256; i++) block0 += i % 17;
    expect(sim.partial[0]).toBe(block0);
  });

  it('reduce (sum, max) equals the simulator', () => {
    const { sim, webgpu } = result.results;
    let sum = 0;
    for (let i = 0; i < 4099; i++) sum += i % 17;
    expect(sim.reduceSum).toBe(sum);
    expect(webgpu.reduceSum).toBe(sim.reduceSum);
    expect(webgpu.reduceMax).toBe(sim.reduceMax);
    expect(sim.reduceMax).toBe(96 / 8);
  });

  it('Philox draws (uniform, raw u32) and the advanced states are bit-identical to the simulator; normals agree', () => {
    const { sim, webgpu } = result.results;
    expect(webgpu.uint32).toEqual(sim.uint32);
    expect(webgpu.uniform).toEqual(sim.uniform);
    // word for word, but the kept Box-Muller partners: normals, compared as the normals are
    expect(stateMismatches(webgpu.states, sim.states, random.STATE_WORDS, { rtol: 1e-5, atol: 1e-5 })).toEqual([]);
    // normalF32 goes through log/sqrt/cos: the same bits on SwiftShader as the simulator's f32 model.
    const diff = webgpu.normal.map((z, i) => Math.abs(z - sim.normal[i]));
    console.log(`normalF32 on webgpu vs sim: ${diff.filter((d) => d > 0).length} of 1000 differ, by at most ${Math.max(...diff).toExponential(2)}`);
    expect(Math.max(...diff)).toBeLessThan(1e-5);
    expect(new Set(sim.uint32).size).toBe(1000);
  });

  it("an application's GPUDevice (useDevice) and GPUBuffers (cuda.external) are used in place", () => {
    const a = result.application;
    const want = Array.from({ length: 1000 }, (_, i) => 3 * i + 1);
    expect(a.target).toBe('webgpu');
    expect(a.viaApplication).toEqual(want);
    expect(a.viaNumbat).toEqual(want);
    expect(a.afterFree).toEqual(want.slice(0, 4));
    expect(a.refused).toMatch(/cuda\.external: the GPUBuffer was created without GPUBufferUsage\.STORAGE/);
  });
});

// The playground (examples/web, `npm run playground`) in headless Chromium: it
// loads, compiles the default kernel (its IR and WGSL shown), runs its batches
// on 'auto' (webgpu in the browser) and draws both plots: the pi estimate is
// checked against pi, the histogram against the normal density, and the
// canvases' pixels against the plot colours. NUMBAT_PLAYGROUND_SCREENSHOT=path
// saves a screenshot. Skipped, with the reason, when chromium is not installed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Chromium, findChromium, type Page } from './browser/chromium.js';
// @ts-expect-error: a plain .mjs script (the playground's server), no declarations
import { bundlePage, serveStatic } from '../examples/web/serve.mjs';

const WEB = resolve(import.meta.dirname, '../examples/web');
const chromiumPath = findChromium();
const skip = chromiumPath ? false : 'chromium is not installed (apt-get install chromium; scripts/bootstrap.sh does when run as root)';

/** Counts a canvas's pixels close to an RGB colour (run in the page). */
const countPixels = (id: string, rgb: [number, number, number]): string => `(() => {
  const c = document.getElementById(${JSON.stringify(id)});
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && Math.abs(d[i] - ${rgb[0]}) < 24 && Math.abs(d[i + 1] - ${rgb[1]}) < 24 && Math.abs(d[i + 2] - ${rgb[2]}) < 24) n++;
  return n;
})()`;

describe.skipIf(skip)(`the playground in headless Chromium (${skip || chromiumPath})`, () => {
  let dir: string;
  let browser: Chromium;
  let server: { url: string; close(): Promise<void> };
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'numbat-playground-'));
    copyFileSync(join(WEB, 'index.html'), join(dir, 'index.html'));
    await bundlePage(join(WEB, 'app.mjs'), join(dir, 'dist/app.js'));
    server = await serveStatic(dir);
    browser = new Chromium(chromiumPath!);
    page = await browser.open(server.url);
    await page.waitFor("document.body.dataset.state === 'done' || document.body.dataset.state === 'error'", 200_000);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the default kernel on webgpu to the end', async () => {
    const state = await page.evaluate<string>('document.body.dataset.state');
    expect(state, await page.evaluate<string>("document.getElementById('error').textContent") + page.console.join('\n')).toBe('done');
    expect(await page.evaluate<string>("document.getElementById('target').textContent")).toMatch(/^target: webgpu on /);
  });

  it('shows the kernel IR and WGSL', async () => {
    const ir = await page.evaluate<string>("document.getElementById('code').textContent");
    expect(ir).toMatch(/monteCarlo/);
    await page.evaluate("document.getElementById('show-wgsl').click()");
    const wgsl = await page.evaluate<string>("document.getElementById('code').textContent");
    expect(wgsl).toMatch(/@compute/);
    expect(wgsl).toMatch(/atomic/);
    await page.evaluate("document.getElementById('show-ir').click()");
  });

  it('the pi estimate converged and the histogram filled (DOM values and plot pixels)', async () => {
    const samples = Number((await page.evaluate<string>("document.getElementById('samples').textContent")).replace(/,/g, ''));
    expect(samples).toBe(40 * 4096 * 16);
    const pi = Number(await page.evaluate<string>("document.getElementById('pi-estimate').textContent"));
    // 2.6 M samples: sigma = 4·sqrt(p(1-p)/n) ≈ 1.0e-3; five of them.
    expect(Math.abs(pi - Math.PI)).toBeLessThan(5.1e-3);
    const normals = Number((await page.evaluate<string>("document.getElementById('normals').textContent")).replace(/,/g, ''));
    expect(normals).toBeGreaterThan(samples * 0.999); // all but the draws beyond ±4
    expect(Math.abs(Number(await page.evaluate<string>("document.getElementById('mean').textContent")))).toBeLessThan(0.01);
    expect(Number(await page.evaluate<string>("document.getElementById('sd').textContent"))).toBeCloseTo(1, 1);
    expect(await page.evaluate<number>(countPixels('pi-plot', [0x1c, 0x7e, 0xd6]))).toBeGreaterThan(200); // the estimate's line
    expect(await page.evaluate<number>(countPixels('hist-plot', [0xf0, 0x8c, 0x00]))).toBeGreaterThan(5000); // the bars
    const shot = process.env.NUMBAT_PLAYGROUND_SCREENSHOT;
    if (shot) writeFileSync(shot, await page.screenshot());
  });

  it('a kernel the compiler refuses shows its error with the code frame', async () => {
    await page.evaluate(`(() => { const t = document.getElementById('source'); t.value = t.value.replace('let count = 0;', 'let count = 0; const s = "text";'); document.getElementById('run').click(); })()`);
    await page.waitFor("document.body.dataset.state === 'error'", 60_000);
    const err = await page.evaluate<string>("document.getElementById('error').textContent");
    expect(err).toMatch(/string/i);
    expect(err).toMatch(/\|/); // the code frame
  });
});

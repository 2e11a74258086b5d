// The benchmark suite's quick mode (bench/run.mjs --quick) on sim and cpu,
// without the anchors: it writes well-formed JSON, Markdown and SVG, every
// example is discovered, and every measured workload has a throughput and a bar.
// No timing is asserted (the numbers are whatever this machine gives).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const out = mkdtempSync(join(tmpdir(), 'numbat-bench-smoke-'));
type Run = { status: number | null; stdout: string; stderr: string };
let run: Run;

/** Runs a child without blocking the test worker (a long spawnSync starves vitest's RPC). */
function runAsync(args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { timeout: timeoutMs });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
let data: any, markdown: string, svg: string;

beforeAll(async () => {
  run = await runAsync([join(root, 'bench/run.mjs'), '--quick', '--no-anchors', '--targets', 'sim,cpu', '--out', out], 300_000);
  const files = readdirSync(out);
  const base = files.find((f) => f.endsWith('.json') && f !== 'latest.json')!.replace(/\.json$/, '');
  data = JSON.parse(readFileSync(join(out, `${base}.json`), 'utf8'));
  markdown = readFileSync(join(out, `${base}.md`), 'utf8');
  svg = readFileSync(join(out, `${base}.svg`), 'utf8');
  expect(readFileSync(join(out, 'latest.json'), 'utf8')).toBe(JSON.stringify(data, null, 1) + '\n');
  expect(readFileSync(join(out, 'latest.svg'), 'utf8')).toBe(svg);
  expect(readFileSync(join(out, 'latest.md'), 'utf8')).toMatch(/!\[throughput per target\]\(latest\.svg\)/);
}, 310_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Well-formedness of the SVG as XML: balanced tags, quoted attributes, escaped text. */
function xmlProblems(text: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0, m: RegExpExecArray | null;
  while ((m = tag.exec(text))) {
    const between = text.slice(last, m.index);
    if (/[<>]/.test(between)) problems.push(`stray markup before offset ${m.index}: ${between.slice(0, 40)}`);
    if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(between)) problems.push(`unescaped & at ${m.index}`);
    last = tag.lastIndex;
    const [, close, name, , selfClosing] = m;
    if (close) { if (stack.pop() !== name) problems.push(`</${name}> closes the wrong element`); } else if (!selfClosing) stack.push(name);
  }
  if (/[<>]/.test(text.slice(last))) problems.push('stray markup at the end');
  if (stack.length) problems.push(`unclosed: ${stack.join(', ')}`);
  return problems;
}

describe('bench/run.mjs --quick', () => {
  it('exits 0 and prints the Markdown report', () => {
    expect(run.status, String(run.stderr)).toBe(0);
    expect(String(run.stdout)).toContain('## Throughput');
  });

  it('discovers every example and the heavy kernels', () => {
    const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.mjs'));
    const files = data.workloads.filter((w: any) => w.kind === 'example').map((w: any) => w.file);
    // Every example file is a workload (one failing to import is listed with its error).
    for (const f of examples) {
      if (/export\s+(async\s+)?function\s+run\b/.test(readFileSync(join(root, 'examples', f), 'utf8'))) expect(files).toContain(f);
    }
    expect(data.workloads.map((w: any) => w.id)).toEqual(expect.arrayContaining(['pi', 'dot', 'histogram', 'mc-kernel', 'block-reduce', 'tree-reduce', 'matmul-tiled']));
  });

  it('records the machine and a result or a reason for every workload on every target', () => {
    expect(data.machine.cores).toBeGreaterThan(0);
    expect(data.machine.node).toBe(process.version);
    expect(data.machine.commit).toBeTruthy();
    for (const target of ['sim', 'cpu']) {
      const t = data.targets[target];
      if (!t.available) { expect(t.reason).toBeTruthy(); continue; }
      for (const w of data.workloads) {
        const r = data.results[target][w.id];
        expect(r, `${w.id} on ${target}`).toBeDefined();
        if (!r.ok) { expect(r.error, `${w.id} on ${target}`).toMatch(/\S/); continue; }
        expect(r.checksFailed, `${w.id} on ${target}: ${JSON.stringify(r.checks)}`).toBeUndefined();
        expect(r.throughput).toBeGreaterThan(0);
        expect(Math.abs((r.throughput * r.seconds) / r.work - 1)).toBeLessThan(1e-9); // throughput = work / seconds
        expect(r.maxRssKiB).toBeGreaterThan(0);
      }
      // The kernels and the demo must run wherever the target is available.
      for (const id of ['pi', 'mc-kernel', 'block-reduce', 'tree-reduce', 'matmul-tiled']) expect(data.results[target][id].ok, `${id} on ${target}`).toBe(true);
      expect(data.memory[target].peakRssKiB).toBeGreaterThan(0);
      expect(data.memory[target].leak.phases).toHaveLength(3);
      expect(data.compile[target].kernels.monteCarloPi.cold.firstMs).toBeGreaterThan(0);
    }
    // The cpu backend has a disk cache: the second process must load from it without LLVM.
    if (data.targets.cpu.available) {
      const load = data.compile.cpu.kernels.monteCarloPi.load;
      expect(load.origin).toBe('cache');
      expect(load.llvmMapped).toBe(false);
      // Per-stage compile times (bench/compile-time.mjs): every kernel compiled, with a no-random baseline.
      const rows = data.compileStages.rows.filter((r: any) => r.target === 'cpu');
      expect(rows.map((r: any) => r.kernel)).toEqual(expect.arrayContaining(['option-pricing', 'uniform-draws', 'normal-draws', 'pi-lcg (no random)']));
      for (const r of rows) for (const stage of ['frontend', 'codegen', 'optimize', 'emit', 'total']) expect(r.stages[stage].cpu, `${r.kernel} ${stage}`).toBeGreaterThan(0);
      expect(rows.filter((r: any) => r.baseline).length).toBeGreaterThan(0);
      expect(markdown).toContain('### Compile stages');
      // Each example's first launch in fresh processes (issue 16's ≤ 250 ms target is read off this table).
      const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.mjs')).map((f) => f.replace('.mjs', '')).sort();
      expect(data.compileStages.examples.map((e: any) => e.example).sort()).toEqual(examples);
      for (const e of data.compileStages.examples) {
        expect(e.error, e.example).toBeUndefined();
        expect(e.compileRuns).toHaveLength(data.compileStages.runs);
        expect(e.compileMs, e.example).toBeGreaterThan(0);
        expect(e.processMs, e.example).toBeGreaterThan(e.compileMs);
      }
      expect(markdown).toContain('### First launch of each example');
    }
  });

  it('writes a Markdown table with a column per target and a row per workload', () => {
    expect(markdown).not.toMatch(/undefined|NaN/);
    const header = markdown.split('\n').find((l) => l.startsWith('| workload | sim | cpu |'));
    expect(header).toBeDefined();
    for (const w of data.workloads) expect(markdown).toMatch(new RegExp(`^\\| ${w.id}: `, 'm'));
    for (const h of ['## Compile and cache load', '## Memory', '## Checks']) expect(markdown).toContain(h);
  });

  it('draws a well-formed SVG with one bar per measured target and workload', () => {
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const bars = [...svg.matchAll(/<rect class="bar" data-target="(\w+)" data-workload="([\w-]+)" data-value="([^"]+)"/g)];
    const measured: string[] = [];
    for (const target of Object.keys(data.results)) for (const [id, r] of Object.entries<any>(data.results[target])) if (r.ok) measured.push(`${target}/${id}`);
    expect(bars.map(([, t, w]) => `${t}/${w}`).sort()).toEqual(measured.sort());
    for (const [, , , v] of bars) expect(Number(v)).toBeGreaterThan(0);
  });
});

describe('bench/run.mjs with failing examples (test/fixtures/bench-examples)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'numbat-bench-failing-'));
  let r: Run, d: any, md: string;
  beforeAll(async () => {
    r = await runAsync([join(root, 'bench/run.mjs'), '--quick', '--no-anchors', '--no-compile', '--no-leak', '--targets', 'sim',
      '--examples', join(root, 'test/fixtures/bench-examples'), '--workloads', 'scale,throws,bad-import,wrong,crashes', '--out', dir], 60_000);
    d = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
    md = readFileSync(join(dir, 'latest.md'), 'utf8');
  }, 70_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports each failure as n/a with its reason and still finishes', () => {
    expect(r.status, String(r.stderr)).toBe(0);
    const res = d.results.sim;
    expect(res.scale.ok).toBe(true);
    expect(res.throws).toMatchObject({ ok: false, error: 'deliberate failure of the fixture' });
    expect(res['bad-import'].error).toMatch(/^import failed: .*noSuchExport/);
    expect(res.crashes.error).toMatch(/exited 7/);
    expect(res.wrong).toMatchObject({ ok: true, checksFailed: true });
    expect(md).toMatch(/\| throws: rejects \| n\/a \(deliberate failure of the fixture\) \|/);
    expect(md).toMatch(/\| crashes: exits the process \| n\/a \(exited 7\) \|/);
    expect(md).toMatch(/✗ check failed: always false/);
    expect(md).toMatch(/- FAILED wrong on sim: always false/);
  });
});

// The bundled Node entry points (scripts/bundle.mjs; vitest's globalSetup makes them
// current): a launch in a fresh process loads @numbat/core, @numbat/llvm and @numbat/cpu
// from their bundles only (one copy of each module, none of the ~155 unbundled files);
// the CLI and the probe child reach core by its name; a bundle older than its package's
// tsc build refuses to load instead of running stale code; the bundles' source maps lead
// to src/.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { targetAvailability } from '@numbat/core';

const ROOT = resolve(import.meta.dirname, '..');
const BUNDLED = ['core', 'llvm', 'cpu'];
const cpu = await targetAvailability('cpu');

/** The files of packages/<p>/ a fresh node process loads (ES modules, through a loader hook), relative to packages/. */
function loadedPackageFiles(args: string[], env: Record<string, string> = {}): { files: string[]; status: number | null; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'numbat-entries-'));
  try {
    // Each load appended to a file at once: the hooks run on a thread of their own, whose writes to
    // stderr could be lost when the process exits first (a CI run once missed its last four loads).
    const log = join(dir, 'loaded.txt');
    writeFileSync(join(dir, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) { if (url.startsWith('file:')) appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); }\n`);
    writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NUMBAT_LOG: '', ...env }, timeout: 120_000 });
    const prefix = pathToFileURL(join(ROOT, 'packages')).href + '/';
    const loaded = existsSync(log) ? readFileSync(log, 'utf8').split('\n') : [];
    const files = loaded.filter((u) => u.startsWith(prefix)).map((u) => u.slice(prefix.length));
    return { files, status: r.status, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('bundled entry points', () => {
  it.skipIf(!cpu.ok)(`a first launch on cpu loads core, llvm and cpu from their bundles only${cpu.ok ? '' : ` (skipped: ${cpu.reason})`}`, () => {
    const r = loadedPackageFiles([join(ROOT, 'examples/pi.mjs'), '--target', 'cpu', '--size', 'small', '--samples', '20']);
    expect(r.status, r.stderr).toBe(0);
    for (const p of BUNDLED) expect(r.files, p).toContain(`${p}/dist/entry/code/index.js`);
    // The compiler's own chunk, imported at the first compile.
    expect(r.files.some((f) => /^cpu\/dist\/entry\/code\/compile-\w+\.js$/.test(f)), r.files.join('\n')).toBe(true);
    const unbundled = r.files.filter((f) => BUNDLED.some((p) => f.startsWith(`${p}/`)) && !/^\w+\/dist\/entry\//.test(f));
    expect(unbundled).toEqual([]);
  });

  it('the numbat CLI loads core once, from its bundle, beside its own file', () => {
    const r = loadedPackageFiles([join(ROOT, 'packages/core/dist/cli.js'), 'info', '--json'], { NUMBAT_PROBE: 'inprocess' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.files).toContain('core/dist/cli.js');
    expect(r.files).toContain('core/dist/entry/code/index.js');
    expect(r.files.filter((f) => f.startsWith('core/') && f !== 'core/dist/cli.js' && !f.startsWith('core/dist/entry/'))).toEqual([]);
  });

  it("'auto' probes a target in a child process that runs from the bundle", () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'numbat-entries-cache-'));
    try {
      const code = "import { explainAuto } from '@numbat/core'; const c = await explainAuto(); console.log(JSON.stringify(c.reasons));";
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NUMBAT_CACHE_DIR: cacheDir, NUMBAT_TARGET: '' }, timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      const reasons = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, string>;
      // A probe that failed to start says "in a child process failed"; each got a verdict.
      for (const [t, why] of Object.entries(reasons)) expect(why, t).not.toMatch(/in a child process failed/);
      expect(reasons.cpu).toMatch(cpu.ok ? /^(chosen|available)/ : /^unavailable/);
      // Verdicts come from child processes only (an in-process answer, as without probe-child.js beside probe.ts, writes none).
      expect(readdirSync(join(cacheDir, 'probe')).filter((f) => f.endsWith('.json')).length).toBeGreaterThan(0);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('a bundle older than its tsc build refuses to load, naming the fix; a current one loads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'numbat-fresh-'));
    try {
      // fresh.js at its place in a package (packages/core/dist/entry/), beside a tsbuildinfo of its own.
      const entry = join(dir, 'core', 'dist', 'entry');
      mkdirSync(entry, { recursive: true });
      copyFileSync(join(ROOT, 'packages/core/dist/entry/fresh.js'), join(entry, 'fresh.js'));
      const built = Number(/const BUILT = (\d+);/.exec(readFileSync(join(entry, 'fresh.js'), 'utf8'))![1]);
      const info = join(dir, 'core', 'tsconfig.tsbuildinfo');
      writeFileSync(info, '{}');
      const load = () => spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(join(entry, 'fresh.js')).href)}); console.log('loaded');`], { encoding: 'utf8' });
      utimesSync(info, new Date(), new Date(built)); // the build the bundle was made from
      const current = load();
      expect(current.status, current.stderr).toBe(0);
      expect(current.stdout).toMatch(/loaded/);
      utimesSync(info, new Date(), new Date(built + 60_000)); // tsc -b ran since
      const stale = load();
      expect(stale.status).not.toBe(0);
      expect(stale.stderr).toMatch(/@numbat\/core was rebuilt by tsc after its bundle .* run `npm run build`/);
      rmSync(info); // an installed package: no tsbuildinfo, nothing to compare
      expect(load().status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the bundles' source maps lead to the packages' TypeScript sources", () => {
    for (const p of BUNDLED) {
      const code = join(ROOT, 'packages', p, 'dist/entry/code');
      const maps = readdirSync(code).filter((f) => f.endsWith('.js.map'));
      expect(maps.length, p).toBeGreaterThan(0);
      for (const m of maps) {
        const map = JSON.parse(readFileSync(join(code, m), 'utf8')) as { sources: string[]; sourcesContent?: unknown };
        expect(map.sourcesContent, `${p}/${m} carries no sources`).toBeUndefined();
        for (const s of map.sources) expect(resolve(code, s), `${p}/${m}`).toMatch(new RegExp(`/packages/${p}/src/[^/].*\\.ts$`));
      }
    }
  });
});

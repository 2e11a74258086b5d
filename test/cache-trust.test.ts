// The disk cache's trust model (issue 12 item 2): an entry is used only when
// everything loaded from it (library, plan, key) is what was stored under that
// key; an edited plan or another kernel's entry is rebuilt, never run. And the
// default directory is the per-user cache directory, not the working directory.
// Each run is a child process: a bad entry used to crash (SIGSEGV) the process.

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { targetAvailability } from '@numbat/core';
import { DiskCache } from '@numbat/core/disk-cache';

const child = fileURLToPath(new URL('./fixtures/cache-child.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'numbat-cache-trust-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Run { origin: string; wrong: number; dir: string }
function run(kernel: string, env: Record<string, string | undefined>, cwd = root): Run {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined) e[k] = v;
  const out = execFileSync(process.execPath, [child], { env: { ...e, KERNEL: kernel }, cwd, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}
/** The key of the single entry in a cache directory. */
const onlyKey = (dir: string) => {
  const keys = readdirSync(dir).filter((f) => f.endsWith('.texts.json')).map((f) => f.slice(0, -'.texts.json'.length));
  expect(keys).toHaveLength(1);
  return keys[0];
};

const cpu = await targetAvailability('cpu');

describe.skipIf(!cpu.ok)('cpu disk cache trust', () => {
  it('an edited plan in the manifest is detected and the entry rebuilt (no crash)', () => {
    const dir = join(root, 'plan');
    expect(run('reverse', { NUMBAT_CACHE_DIR: dir })).toMatchObject({ origin: 'compiled', wrong: 0 });
    expect(run('reverse', { NUMBAT_CACHE_DIR: dir })).toMatchObject({ origin: 'cache', wrong: 0 });
    const key = onlyKey(join(dir, 'cpu'));
    const manifest = join(dir, 'cpu', `${key}.json`);
    const m = JSON.parse(readFileSync(manifest, 'utf8'));
    expect(m.plan.staticSharedBytes).toBe(1024);
    m.plan.staticSharedBytes = 0;
    writeFileSync(manifest, JSON.stringify(m));
    expect(run('reverse', { NUMBAT_CACHE_DIR: dir })).toMatchObject({ origin: 'compiled', wrong: 0 });
    expect(run('reverse', { NUMBAT_CACHE_DIR: dir })).toMatchObject({ origin: 'cache', wrong: 0 });
  });

  it("another kernel's entry copied under this kernel's key is detected and rebuilt", () => {
    const a = join(root, 'copy-a'), b = join(root, 'copy-b');
    expect(run('reverse', { NUMBAT_CACHE_DIR: a })).toMatchObject({ origin: 'compiled', wrong: 0 });
    expect(run('plus', { NUMBAT_CACHE_DIR: b })).toMatchObject({ origin: 'compiled', wrong: 0 });
    const ka = onlyKey(join(a, 'cpu')), kb = onlyKey(join(b, 'cpu'));
    for (const ext of ['so', 'json', 'texts.json']) cpSync(join(b, 'cpu', `${kb}.${ext}`), join(a, 'cpu', `${ka}.${ext}`));
    // The manifest names its own key: patch it too, as a careless copy script might.
    const manifest = join(a, 'cpu', `${ka}.json`);
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(kb, ka));
    expect(run('reverse', { NUMBAT_CACHE_DIR: a })).toMatchObject({ origin: 'compiled', wrong: 0 });
    expect(run('reverse', { NUMBAT_CACHE_DIR: a })).toMatchObject({ origin: 'cache', wrong: 0 });
  });

  it('defaults to the per-user cache directory; an empty NUMBAT_CACHE_DIR counts as unset', () => {
    const work = join(root, 'work'), home = join(root, 'home'), xdg = join(root, 'xdg');
    mkdirSync(work, { recursive: true });
    const viaXdg = run('plus', { NUMBAT_CACHE_DIR: undefined, XDG_CACHE_HOME: xdg }, work);
    expect(viaXdg.dir).toBe(join(xdg, 'numbat', 'cpu'));
    expect(readdirSync(viaXdg.dir).some((f) => f.endsWith('.so'))).toBe(true);
    const viaHome = run('plus', { NUMBAT_CACHE_DIR: '', XDG_CACHE_HOME: '', HOME: home }, work);
    expect(viaHome).toMatchObject({ origin: 'compiled', wrong: 0, dir: join(home, '.cache', 'numbat', 'cpu') });
    expect(readdirSync(viaHome.dir).some((f) => f.endsWith('.so'))).toBe(true);
    // Nothing lands in the working directory (it used to get ./cpu or ./.numbat-cache).
    expect(readdirSync(work)).toEqual([]);
    expect(existsSync(join(root, 'cpu'))).toBe(false);
  });
});

describe('DiskCache (shared by cpu and cuda)', () => {
  const cache = new DiskCache<{ bytes: number }>('unit', 'v1', 'bin');
  const dir = join(root, 'unit');
  const payload = Buffer.from('payload bytes');

  it('returns what was stored, under its key only', () => {
    const key = cache.key(['kernel-a']);
    cache.store(key, payload, { bytes: 1024 }, { ir: 'text' }, dir);
    const hit = cache.lookup(key, dir)!;
    expect(hit.plan).toEqual({ bytes: 1024 });
    expect(hit.payload.equals(payload)).toBe(true);
    expect(cache.texts(key, dir)).toEqual({ ir: 'text' });
    expect(cache.lookup(cache.key(['kernel-b']), dir)).toBeUndefined();
  });

  it('rejects an edited plan, an edited payload, a moved entry, another version', () => {
    const key = cache.key(['plan']);
    cache.store(key, payload, { bytes: 1024 }, {}, dir);
    const manifest = join(dir, `${key}.json`);
    const good = readFileSync(manifest, 'utf8');
    writeFileSync(manifest, good.replace('1024', '0'));
    expect(cache.lookup(key, dir)).toBeUndefined();
    writeFileSync(manifest, good);
    expect(cache.lookup(key, dir)).toBeDefined();

    writeFileSync(join(dir, `${key}.bin`), 'PAYLOAD BYTES');
    expect(cache.lookup(key, dir)).toBeUndefined();

    const k2 = cache.key(['moved']);
    cache.store(k2, payload, { bytes: 8 }, {}, dir);
    for (const ext of ['bin', 'json']) cpSync(join(dir, `${k2}.${ext}`), join(dir, `${key}.${ext}`));
    expect(cache.lookup(key, dir)).toBeUndefined(); // names k2 in its manifest
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(k2, key));
    expect(cache.lookup(key, dir)).toBeUndefined(); // the checksum covers the key it was stored under

    const other = new DiskCache<{ bytes: number }>('unit', 'v2', 'bin');
    expect(other.lookup(k2, dir)).toBeUndefined();
  });
});

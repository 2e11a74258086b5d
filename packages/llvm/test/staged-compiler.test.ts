// The compiled backends' one runner on its own, with a toy pipeline (no LLVM):
// stages run in order and are timed, skipped stages leave no timing, texts are
// kept under their inspect names, the disk cache is looked up before the
// compiler is loaded and written after it, a rejected entry is rebuilt, and
// inspect reads texts back from the entry. The cpu run at the end shows each
// stage with its time under NUMBAT_LOG=debug.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KernelCache, StagedCompiler, replayText, runStages, type Pipeline, type Stage, type StagedKernel } from '@numbat/llvm';
import { targetAvailability, type KernelIR } from '@numbat/core';
import { kernel } from './helpers.js';

interface Toy { input: string; upper?: string; reversed?: string; ran: string[] }
const STAGES: Stage<Toy>[] = [
  { name: 'upper', inspect: 'up', run: (s) => { s.ran.push('upper'); return (s.upper = s.input.toUpperCase()); } },
  { name: 'never', when: () => false, run: (s) => { s.ran.push('never'); } },
  { name: 'reverse', inspect: 'rev', run: (s) => { s.ran.push('reverse'); return (s.reversed = [...s.upper!].reverse().join('')); } },
];

describe('runStages', () => {
  it('runs the stages in order, times those that ran, keeps their texts', () => {
    const s: Toy = { input: 'abc', ran: [] };
    const run = runStages("toy kernel 'k'", STAGES, s);
    expect(s.ran).toEqual(['upper', 'reverse']);
    expect(Object.keys(run.timings)).toEqual(['upper', 'reverse']);
    for (const ms of Object.values(run.timings)) expect(ms).toBeGreaterThanOrEqual(0);
    expect(Object.keys(run.cpuTimings)).toEqual(['upper', 'reverse']);
    expect(run.texts).toEqual({ up: 'ABC', rev: 'CBA' });
  });

  it('a deferred text is made when first read, once, and stored texts (JSON) include it', () => {
    let made = 0;
    const lazy: Stage<Toy>[] = [{ name: 'upper', inspect: 'up', run: (s) => { s.upper = s.input.toUpperCase(); return { deferred: () => { made++; return s.upper!; } }; } }];
    const run = runStages("toy kernel 'k'", lazy, { input: 'abc', ran: [] });
    expect(made).toBe(0);
    expect(Object.keys(run.texts)).toEqual(['up']);
    expect(run.texts.up).toBe('ABC');
    expect(run.texts.up).toBe('ABC');
    expect(made).toBe(1);
    expect(JSON.parse(JSON.stringify(run.texts))).toEqual({ up: 'ABC' });
  });

  it('replayText runs the stages from one stage up to the text asked for, on a copy, and frees it', () => {
    const s: Toy = { input: 'xyz', upper: 'XYZ', ran: [] };
    let disposed = 0;
    expect(replayText("toy kernel 'k'", STAGES, 'reverse', 'rev', s, () => { disposed++; })).toBe('ZYX');
    expect(s.ran).toEqual(['reverse']);
    expect(disposed).toBe(1);
    expect(() => replayText("toy kernel 'k'", STAGES, 'reverse', 'up', s, () => {})).toThrow(/no stages from 'reverse' to the 'up' text/);
  });

  it('a stage that declares a text but returns none is a bug, said so', () => {
    expect(() => runStages("toy kernel 'k'", [{ name: 'silent', inspect: 'x', run: () => {} }], {})).toThrow(/stage 'silent' of toy kernel 'k' produced no 'x' text/);
  });
});

describe('StagedCompiler', () => {
  let dir: string;
  const prev = process.env.NUMBAT_CACHE_DIR;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'numbat-staged-')); process.env.NUMBAT_CACHE_DIR = dir; });
  afterEach(() => {
    if (prev === undefined) delete process.env.NUMBAT_CACHE_DIR; else process.env.NUMBAT_CACHE_DIR = prev;
    rmSync(dir, { recursive: true, force: true });
  });

  const ir: KernelIR = kernel('toy', [], []);
  function setup(version = 'toy-1') {
    const cache = new KernelCache<{ name: string }>('toy', version, 'txt');
    const compiler = new StagedCompiler('toy', cache, ['up', 'rev']);
    let loads = 0;
    const pipeline = (payload: (s: Toy) => Buffer | Promise<Buffer>) => async (): Promise<Pipeline<Toy, { name: string }>> => {
      loads++;
      return { stages: STAGES, state: { input: 'numbat', ran: [] }, plan: () => ({ name: 'toy' }), payload };
    };
    return { cache, compiler, pipeline, loads: () => loads };
  }
  const sync = (s: Toy) => Buffer.from(s.reversed!);

  it('compiles on a miss, stores, and loads the entry next time without loading the compiler', async () => {
    const { cache, compiler, pipeline, loads } = setup();
    const key = cache.key(['toy-source']);
    const job = { ir, lookup: [key], store: { key, dirs: [cache.dir()] }, pipeline: pipeline(sync) };
    const first = await compiler.compile(job);
    expect(first.origin).toBe('compiled');
    expect(first.origin === 'compiled' && first.texts).toEqual({ up: 'NUMBAT', rev: 'TABMUN' });
    expect(Object.keys(first.timings)).toEqual(['setup', 'upper', 'reverse', 'total']);
    // The record also has each stage's CPU time (the compile's own, not other processes' waiting).
    const cpu = compiler.compileRecords()[0].cpuTimings!;
    expect(Object.keys(cpu)).toEqual(['setup', 'upper', 'reverse']);
    for (const v of Object.values(cpu)) expect(v).toBeGreaterThanOrEqual(0);
    const second = await compiler.compile(job);
    expect(second.origin).toBe('cache');
    expect(second.origin === 'cache' && second.hit.payload.toString()).toBe('TABMUN');
    expect(Object.keys(second.timings)).toEqual(['total']);
    expect(loads()).toBe(1);
    expect(compiler.compileRecords().map((r) => r.origin)).toEqual(['compiled', 'cache']);

    // inspect: texts come back from the entry; an unknown stage is named.
    const k: StagedKernel = { ir, origin: 'cache', timings: second.timings, cacheEntry: second.cacheEntry };
    expect(await compiler.inspect(k, 'rev')).toBe('TABMUN');
    expect(await compiler.inspect(k, 'len', { len: (t) => String(t.up.length) })).toBe('6');
    await expect(compiler.inspect(k, 'asm')).rejects.toThrow(/toy has no stage 'asm' \(have: up, rev\)/);
  });

  it('an entry the backend rejects is rebuilt; another codegen version is a miss', async () => {
    const { cache, compiler, pipeline, loads } = setup();
    const key = cache.key(['toy-source']);
    await compiler.compile({ ir, lookup: [key], store: { key, dirs: [cache.dir()] }, pipeline: pipeline(sync) });
    const rejected = await compiler.compile({ ir, lookup: [key], accept: () => { throw new Error('unloadable'); }, pipeline: pipeline(sync) });
    expect(rejected.origin).toBe('compiled');
    expect(loads()).toBe(2);
    const other = setup('toy-2');
    expect((await other.compiler.compile({ ir, lookup: [other.cache.key(['toy-source'])], pipeline: other.pipeline(sync) })).origin).toBe('compiled');
  });

  it('a payload still being produced is stored in the background; flush() waits for it', async () => {
    const { cache, compiler, pipeline } = setup();
    const key = cache.key(['toy-late']);
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const job = { ir, lookup: [key], store: { key, dirs: [cache.dir()] }, pipeline: pipeline(async (s) => { await gate; return Buffer.from(s.reversed!); }) };
    expect((await compiler.compile(job)).origin).toBe('compiled');
    expect(cache.lookup([key])).toBeUndefined();
    release();
    await compiler.flush();
    expect(cache.lookup([key])?.payload.toString()).toBe('TABMUN');
    expect(readdirSync(cache.dir()).sort()).toEqual([`${key}.json`, `${key}.texts.json`, `${key}.txt`]);
  });
});

const cpu = await targetAvailability('cpu');
describe.skipIf(!cpu.ok)('NUMBAT_LOG=debug on a compiled backend', () => {
  it('prints each cpu stage with its time', () => {
    const root = resolve(import.meta.dirname, '../../..');
    const r = spawnSync(process.execPath, [join(root, 'test/fixtures/log-kernel.mjs'), 'cpu'], {
      encoding: 'utf8', timeout: 120_000, env: { ...process.env, NUMBAT_LOG: 'debug', NUMBAT_TARGET: '' },
    });
    expect(r.status, r.stderr).toBe(0);
    for (const stage of ['load-llvm', 'codegen', 'parse-link-verify', 'optimize', 'emit', 'jit']) {
      expect(r.stderr).toMatch(new RegExp(`^numbat\\[debug\\] cpu kernel 'twice': stage ${stage} [\\d.]+ ms$`, 'm'));
    }
  }, 120_000);
});

// The one runner of the compiled backends (cpu, cuda): a kernel is looked up
// in the disk cache; on a miss the backend's compiler is loaded (only then:
// a cache hit needs no LLVM), its stages run (stages.ts: timed, texts kept
// for inspect) and the result is stored. It also keeps the recent compile
// records (`compileRecords()`) and answers `inspect` for both backends.

import type { KernelIR } from '@numbat/core';
import type { CacheEntry, EntryRef, KernelCache } from './kernel-cache.js';
import { runStagesAsync, type Stage } from './stages.js';

/** What the runner needs of a backend's compiled kernel. */
export interface StagedKernel {
  readonly ir: KernelIR;
  readonly origin: 'compiled' | 'cache';
  /** Milliseconds per stage, and `total`. */
  readonly timings: Record<string, number>;
  /** Inspect texts: kept by a compile, read back from the cache entry otherwise. */
  texts?: Record<string, string>;
  readonly cacheEntry?: EntryRef;
}

/** A backend's compiler, set up for one kernel. */
export interface Pipeline<S, Plan> {
  readonly stages: readonly Stage<S>[];
  readonly state: S;
  plan(state: S): Plan;
  /** The cache entry's payload; a promise is stored in the background (`flush()` awaits it). */
  payload(state: S): Buffer | Promise<Buffer>;
  /** Frees what the stages hold (LLVM modules), whether they succeeded or not. */
  dispose?(state: S): void;
}

export interface CompileJob<S, Plan> {
  ir: KernelIR;
  /** Cache keys to look up, best first (none: always compile). */
  lookup?: readonly string[];
  /** Accepts a hit (cpu: loads its library); throwing rejects the entry and the kernel is compiled. */
  accept?(hit: CacheEntry<Plan>): void;
  /** Where to store the result: a key and directories (the first is the one inspect reads back). */
  store?: { key: string; dirs: readonly string[] };
  /** Loads the compiler (on a miss only) and sets up its stages. */
  pipeline(): Promise<Pipeline<S, Plan>>;
  /** Extra fields of the compile record (cuda: the arch). */
  describe?: Record<string, string>;
}

export type Compiled<S, Plan> =
  | { origin: 'cache'; plan: Plan; hit: CacheEntry<Plan>; timings: Record<string, number>; cacheEntry: EntryRef }
  | { origin: 'compiled'; plan: Plan; state: S; timings: Record<string, number>; texts: Record<string, string>; cacheEntry?: EntryRef };

export interface CompileRecord {
  kernel: string; origin: 'compiled' | 'cache'; timings: Record<string, number>;
  /** CPU milliseconds per stage (compiles only; benchmarks on busy machines). */
  cpuTimings?: Record<string, number>;
}

/** Derives an inspect text the pipeline does not keep (cpu: assembly from the optimised IR). */
export type DeriveText = (texts: Record<string, string>, kernel: StagedKernel) => string | Promise<string>;

export class StagedCompiler<Plan> {
  private readonly records: CompileRecord[] = [];
  private readonly pending = new Set<Promise<void>>();

  /** `stageNames`: the inspect stages this target offers (Backend.stages). */
  constructor(readonly target: string, readonly cache: KernelCache<Plan>, readonly stageNames: readonly string[]) {}

  async compile<S>(job: CompileJob<S, Plan>): Promise<Compiled<S, Plan>> {
    const t0 = performance.now();
    const hit = job.lookup?.length ? this.cache.lookup(job.lookup) : undefined;
    if (hit) {
      let usable = true;
      try { job.accept?.(hit); } catch { usable = false; } // an unusable entry is rebuilt below
      if (usable) {
        const timings = { total: performance.now() - t0 };
        this.record(job, 'cache', timings);
        return { origin: 'cache', plan: hit.plan, hit, timings, cacheEntry: { dir: hit.dir, key: hit.key } };
      }
    }
    // 'setup': the compiler's modules imported and its state made (cpu: LLVM's C API loaded
    // for the host target), a first compile's share of the backend load.
    const s0 = performance.now(), c0 = process.cpuUsage();
    const p = await job.pipeline();
    const setup = performance.now() - s0, setupCpu = process.cpuUsage(c0);
    let run, plan: Plan;
    try {
      run = await runStagesAsync(`${this.target} kernel '${job.ir.name}'`, p.stages, p.state);
      plan = p.plan(p.state);
    } finally {
      p.dispose?.(p.state);
    }
    const cacheEntry = job.store?.dirs.length ? this.store(job.store.key, job.store.dirs, p.payload(p.state), plan, run.texts, job.ir.name) : undefined;
    const timings = { setup, ...run.timings, total: performance.now() - t0 };
    this.record(job, 'compiled', timings, { setup: (setupCpu.user + setupCpu.system) / 1000, ...run.cpuTimings });
    return { origin: 'compiled', plan, state: p.state, timings, texts: run.texts, cacheEntry };
  }

  /** A payload at hand is stored now (errors are the compile's); a pending one in the background (errors are warnings). */
  private store(key: string, dirs: readonly string[], payload: Buffer | Promise<Buffer>, plan: Plan, texts: Record<string, string>, kernel: string): EntryRef {
    if (Buffer.isBuffer(payload)) {
      for (const dir of dirs) this.cache.store(key, payload, plan, texts, dir);
    } else {
      const p = payload
        .then((bytes) => { for (const dir of dirs) this.cache.store(key, bytes, plan, texts, dir); })
        .catch((e: Error) => { process.emitWarning(`numbat: could not store kernel '${kernel}' in the disk cache: ${e.message}`); });
      const done = p.finally(() => this.pending.delete(done));
      this.pending.add(done);
    }
    return { dir: dirs[0], key };
  }

  /** Resolves when every cache entry being written has reached the disk. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private record(job: CompileJob<unknown, Plan>, origin: 'compiled' | 'cache', timings: Record<string, number>, cpuTimings?: Record<string, number>): void {
    this.records.push({ kernel: job.ir.name, origin, ...job.describe, timings, ...(cpuTimings && { cpuTimings }) });
    if (this.records.length > 100) this.records.shift();
  }

  /** The most recent compiles and cache loads of this process, newest last (benchmarks, diagnostics). */
  compileRecords(): readonly CompileRecord[] {
    return this.records;
  }

  /** The text of one inspect stage: kept by the compile, read from the cache entry, or derived. */
  async inspect(k: StagedKernel, stage: string, derived: Record<string, DeriveText> = {}): Promise<string> {
    k.texts ??= (k.cacheEntry ? this.cache.texts(k.cacheEntry) : undefined) ?? {};
    const text = k.texts[stage];
    if (text !== undefined) return text;
    if (derived[stage]) return (k.texts[stage] = await derived[stage](k.texts, k));
    if (this.stageNames.includes(stage)) throw new Error(`numbat: the cached kernel '${k.ir.name}' has no stored '${stage}' text; delete its cache entry to rebuild it`);
    throw new Error(`numbat: ${this.target} has no stage '${stage}' (have: ${this.stageNames.join(', ')})`);
  }
}

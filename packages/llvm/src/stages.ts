// A compiled backend's pipeline as a list of named stages over one mutable
// state (the kernel's IR, the LLVM module, its texts...). One runner for cpu
// and cuda: it times each stage (NUMBAT_LOG=debug prints each; the compile's
// info line lists them) and keeps the text a stage produces under the inspect
// name it declares. A stage may defer its text (`deferred`): printing a
// module of thousands of lines costs as much as a tenth of the compile, and
// most compiles are never inspected, so the text is made when first read, by
// replaying the stages that build it (replayText).

import { log, logEnabled } from '@numbat/core';
import { poolTurn } from './pool-finish.js';

export interface Stage<S> {
  /** Name in timings and log lines. */
  readonly name: string;
  /** The inspect stage (`kernel.inspect(name)`) whose text `run` returns. */
  readonly inspect?: string;
  /** false: the stage does not apply to this kernel (not run, not timed). */
  when?(state: S): boolean;
  /** A promise only where the stage waits for another thread (runStagesAsync). */
  run(state: S): StageResult | Promise<StageResult>;
}

type StageResult = string | DeferredText | void;

/** A text not printed by its stage: `make` builds it when it is first read. */
export interface DeferredText { readonly deferred: () => string }

export interface StageRun {
  /** Milliseconds per stage that ran. */
  timings: Record<string, number>;
  /** CPU milliseconds (user + system, whole process) per stage: on a busy machine the wall time also counts waiting. */
  cpuTimings: Record<string, number>;
  /** Texts of the stages that declare an inspect name. */
  texts: Record<string, string>;
}

/** Runs `stages` in order on `state`; `what` names the compile in log lines ("cpu kernel 'saxpy'"). Every stage must be synchronous. */
export function runStages<S>(what: string, stages: readonly Stage<S>[], state: S): StageRun {
  const run = newRun();
  for (const stage of stages) {
    if (stage.when && !stage.when(state)) continue;
    const t = performance.now(), cpu = process.cpuUsage();
    const out = stage.run(state);
    if (out instanceof Promise) throw new Error(`numbat internal error: stage '${stage.name}' of ${what} is asynchronous here`);
    finishStage(what, stage, run, out, t, cpu);
  }
  return run;
}

/**
 * runStages for stages that may wait for another thread (a stage's promise is awaited, its time
 * is the stage's). Between stages, while a module is being finished on the thread pool, the
 * event loop has a turn: the pool job's next step starts there (pool-finish.ts).
 */
export async function runStagesAsync<S>(what: string, stages: readonly Stage<S>[], state: S): Promise<StageRun> {
  const run = newRun();
  for (const stage of stages) {
    if (stage.when && !stage.when(state)) continue;
    const t = performance.now(), cpu = process.cpuUsage();
    finishStage(what, stage, run, await stage.run(state), t, cpu);
    await poolTurn();
  }
  return run;
}

function newRun(): StageRun {
  return { timings: {}, cpuTimings: {}, texts: {} };
}

/** Records a stage's times (since `t`, `cpu`) and its text. */
function finishStage<S>(what: string, stage: Stage<S>, run: StageRun, text: StageResult, t: number, cpu: NodeJS.CpuUsage): void {
  run.timings[stage.name] = performance.now() - t;
  const used = process.cpuUsage(cpu);
  run.cpuTimings[stage.name] = (used.user + used.system) / 1000;
  if (stage.inspect !== undefined) {
    if (typeof text === 'string') run.texts[stage.inspect] = text;
    else if (text) defineDeferred(run.texts, stage.inspect, text.deferred);
    else throw new Error(`numbat internal error: stage '${stage.name}' of ${what} produced no '${stage.inspect}' text`);
  }
  if (logEnabled('debug')) log('debug', `${what}: stage ${stage.name} ${run.timings[stage.name].toFixed(1)} ms`);
}

/** texts[name] made by `make` when first read (then kept); enumerable, so storing the texts (JSON) makes it. */
function defineDeferred(texts: Record<string, string>, name: string, make: () => string): void {
  Object.defineProperty(texts, name, {
    enumerable: true, configurable: true,
    get() {
      const value = make();
      Object.defineProperty(texts, name, { value, enumerable: true, configurable: true, writable: true });
      return value;
    },
  });
}

/**
 * The text of the stage that declares `inspect`, made again: `stages` from
 * `from` up to that stage run on `copy` (a state that has what the stages
 * before `from` made, and that prints its texts); `dispose` frees what they built.
 */
export function replayText<S>(what: string, stages: readonly Stage<S>[], from: string, inspect: string, copy: S, dispose: (s: S) => void): string {
  const first = stages.findIndex((x) => x.name === from), last = stages.findIndex((x) => x.inspect === inspect);
  if (first < 0 || last < first) throw new Error(`numbat internal error: no stages from '${from}' to the '${inspect}' text of ${what}`);
  try {
    return runStages(what, stages.slice(first, last + 1), copy).texts[inspect];
  } finally {
    dispose(copy);
  }
}

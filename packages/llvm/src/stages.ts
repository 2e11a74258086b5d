// A compiled backend's pipeline as a list of named stages over one mutable
// state (the kernel's IR, the LLVM module, its texts...). One runner for cpu
// and cuda: it times each stage (NUMBAT_LOG=debug prints each; the compile's
// info line lists them) and keeps the text a stage produces under the inspect
// name it declares.

import { log, logEnabled } from '@numbat/core';

export interface Stage<S> {
  /** Name in timings and log lines. */
  readonly name: string;
  /** The inspect stage (`kernel.inspect(name)`) whose text `run` returns. */
  readonly inspect?: string;
  /** false: the stage does not apply to this kernel (not run, not timed). */
  when?(state: S): boolean;
  run(state: S): string | void;
}

export interface StageRun {
  /** Milliseconds per stage that ran. */
  timings: Record<string, number>;
  /** Texts of the stages that declare an inspect name. */
  texts: Record<string, string>;
}

/** Runs `stages` in order on `state`; `what` names the compile in log lines ("cpu kernel 'saxpy'"). */
export function runStages<S>(what: string, stages: readonly Stage<S>[], state: S): StageRun {
  const timings: Record<string, number> = {};
  const texts: Record<string, string> = {};
  for (const stage of stages) {
    if (stage.when && !stage.when(state)) continue;
    const t = performance.now();
    const text = stage.run(state);
    timings[stage.name] = performance.now() - t;
    if (stage.inspect !== undefined) {
      if (typeof text !== 'string') throw new Error(`numbat internal error: stage '${stage.name}' of ${what} produced no '${stage.inspect}' text`);
      texts[stage.inspect] = text;
    }
    if (logEnabled('debug')) log('debug', `${what}: stage ${stage.name} ${timings[stage.name].toFixed(1)} ms`);
  }
  return { timings, texts };
}

// The shared conformance corpus: every backend must reproduce each case.
import { basic } from './basic.js';
import { control } from './control.js';
import { memory } from './memory.js';
import { numeric } from './numeric.js';
import { math } from './math.js';
import { math2 } from './math2.js';
import { regressFrontend } from './regress-frontend.js';
import { regressSimcpu } from './regress-simcpu.js';
import { regressWebgpu } from './regress-webgpu.js';
import { regressFuzzBackends } from './regress-fuzz-backends.js';
import { regressFuzzCore } from './regress-fuzz-core.js';
import { warp } from './warp.js';
import { warpDivergent } from './warp-divergent.js';
import { syncAtomics } from './sync-atomics.js';
import { arraysSyntax } from './arrays-syntax.js';
import { mathWgsl } from './math-wgsl.js';
import { int64 } from './int64.js';
import { bits } from './bits.js';
import { laneScoped } from './lane-scoped.js';
import { mathErfF32 } from './math-erf-f32.js';
import { regressLazyShare } from './regress-lazy-share.js';
import { legalRows } from './legal-rows.js';
import { regressLoopCut } from './regress-loop-cut.js';
import { regressLaneReturn } from './regress-lane-return.js';
import { mathV8PowTrig } from './math-v8-pow-trig.js';
import { randomLoops } from './random-loops.js';
import { randomBlocks } from './random-blocks.js';
import { localArrayScalars } from './local-array-scalars.js';
import { localArrayLanes } from './local-array-lanes.js';
import { laneInbounds } from './lane-inbounds.js';
import { optionKernels } from './option-kernels.js';
import { barrierLanes } from './barrier-lanes.js';
import type { CorpusCase } from './types.js';

export type { CorpusCase } from './types.js';
export const CORPUS: CorpusCase[] = [
  ...basic, ...control, ...memory, ...numeric, ...math, ...math2,
  ...regressFrontend, ...regressSimcpu, ...regressWebgpu, ...regressFuzzBackends, ...regressFuzzCore, ...warp, ...warpDivergent, ...syncAtomics, ...arraysSyntax, ...mathWgsl, ...int64, ...bits, ...laneScoped,
  ...mathErfF32, ...regressLazyShare, ...legalRows, ...regressLoopCut, ...regressLaneReturn, ...mathV8PowTrig, ...randomLoops, ...randomBlocks, ...localArrayScalars, ...localArrayLanes, ...laneInbounds, ...optionKernels, ...barrierLanes,
];

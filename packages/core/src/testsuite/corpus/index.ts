// The shared conformance corpus: every backend must reproduce each case.
import { basic } from './basic.js';
import { control } from './control.js';
import { memory } from './memory.js';
import { numeric } from './numeric.js';
import { math } from './math.js';
import { regressFrontend } from './regress-frontend.js';
import { regressSimcpu } from './regress-simcpu.js';
import { regressWebgpu } from './regress-webgpu.js';
import { regressFuzzBackends } from './regress-fuzz-backends.js';
import { regressFuzzCore } from './regress-fuzz-core.js';
import { int64 } from './int64.js';
import { bits } from './bits.js';
import type { CorpusCase } from './types.js';

export type { CorpusCase } from './types.js';
export const CORPUS: CorpusCase[] = [
  ...basic, ...control, ...memory, ...numeric, ...math,
  ...regressFrontend, ...regressSimcpu, ...regressWebgpu, ...regressFuzzBackends, ...regressFuzzCore,
  ...int64, ...bits,
];

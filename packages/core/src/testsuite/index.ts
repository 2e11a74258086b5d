// @numbat/core/testsuite: the conformance corpus and its runner, for backend
// packages to run on their own target (docs/backends/new-backend.md). Kept out
// of the main entry: nothing here loads unless a test imports it, and it needs
// no test framework.

export { CORPUS } from './corpus/index.js';
export { hostPairF32 } from './corpus/random-loops.js';
export { ramp, type Arrays, type CorpusCase } from './corpus/types.js';
export { cloneArgs, mismatches, stateMismatches, type Tolerance } from './compare.js';
export { assertCase, caseMismatches, runCase, runConformance, type CaseResult } from './run.js';

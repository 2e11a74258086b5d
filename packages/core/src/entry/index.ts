// The package's Node entry ("exports" → dist/entry/index.js): as tsc emits it,
// the unbundled modules; scripts/bundle.mjs replaces the emitted file with the
// same exports from one bundle, which loads faster (docs/architecture.md).
export * from '../index.js';

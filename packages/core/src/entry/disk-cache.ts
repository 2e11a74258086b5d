// '@numbat/core/disk-cache' ("exports" → dist/entry/disk-cache.js): as tsc emits
// it, the unbundled module; scripts/bundle.mjs replaces the emitted file with
// the bundle's, which shares its chunks with the main entry's.
export * from '../disk-cache.js';

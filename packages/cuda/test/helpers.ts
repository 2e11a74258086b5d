// (Plain JavaScript, so that the kernel fuzzer, run by node without a TypeScript step, uses it too.)
export { assemblePtx, findPtxas } from './ptxas.mjs';

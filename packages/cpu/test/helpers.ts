// The IR builders for hand-written test kernels live with the shared LLVM lowering's tests.
export * from '../../llvm/test/helpers.js';

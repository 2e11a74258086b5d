// Preparing ahead-of-time PTX without a GPU, and proving a prepared cache
// complete without LLVM (docs/backends/cuda.md, "PTX cache and ahead-of-time
// compilation"):
// - NUMBAT_CUDA_COMPILE_ONLY=1: target 'cuda' is available with no GPU and no
//   libcuda. A program runs as it would on a GPU, so each kernel is compiled at
//   the signature it is launched with, and its PTX is cached (every kernel, as
//   with `cache: true`); launches, copies and streams do nothing and device
//   memory holds nothing, so results are meaningless.
// - NUMBAT_CUDA_NO_LLVM=1: a kernel not in the cache or the prepared directory
//   is a CompileError naming kernel and signature, instead of loading LLVM.
// Every kernel asked for is recorded (kernelRequests), found or missing.

import { CompileError, type BackendStreams, type ElemType, type KernelIR } from '@numbat/core';

export function compileOnly(): boolean {
  return process.env.NUMBAT_CUDA_COMPILE_ONLY === '1';
}

export function llvmForbidden(): boolean {
  return process.env.NUMBAT_CUDA_NO_LLVM === '1';
}

export const COMPILE_ONLY_DEVICE = 'compile-only, no GPU (NUMBAT_CUDA_COMPILE_ONLY=1: kernels are compiled to PTX or found in the cache, never run)';

/**
 * reduce's grid size in compile-only mode: the H200's (132 SMs × 8 blocks × 4
 * waves). Block counts are launch dimensions, not part of a kernel's signature,
 * so any figure prepares the same kernels; this one plans like the GPU.
 */
export const COMPILE_ONLY_GRID_STRIDE_BLOCKS = 4224;

/** One kernel asked of the backend: its name, parameter types, and where its PTX came from. */
export interface KernelRequest { kernel: string; signature: string; origin: 'compiled' | 'cache' | 'missing' }
const requests: KernelRequest[] = [];

/** Every kernel this process asked the cuda backend for, in order (the specialisations of each `cuda.jit`). */
export function kernelRequests(): readonly KernelRequest[] {
  return requests;
}

export function signatureOf(ir: KernelIR): string {
  return ir.params.map((p) => (p.type.kind === 'scalar' ? p.type.type : p.type.shape ? `${p.type.elem}[${p.type.shape.join('x')}]` : `${p.type.elem}[]`)).join(', ');
}

export function noteKernel(ir: KernelIR, origin: KernelRequest['origin']): void {
  requests.push({ kernel: ir.name, signature: signatureOf(ir), origin });
}

/** A cache miss where compiling is forbidden. */
export function notPrepared(ir: KernelIR): CompileError {
  noteKernel(ir, 'missing');
  return new CompileError('cuda compile',
    `PTX for kernel '${ir.name}' (signature (${signatureOf(ir)})) was not prepared, and NUMBAT_CUDA_NO_LLVM=1 forbids compiling it here: ` +
    'run bench/cuda/prepare.mjs (or numbat-cuda compile) where LLVM is, and point NUMBAT_CUDA_PTX_DIR at its output',
    ir.name, ir.source, { line: ir.source.firstLine, column: 1 }); // the frame shows the kernel's first line
}

/** Device memory in compile-only mode: a length, no storage. */
export class PlaceholderBuffer {
  constructor(readonly elem: ElemType, readonly length: number) {}
}

/** Streams and events that order nothing (nothing runs). */
export const placeholderStreams: BackendStreams = {
  createStream: () => ({}),
  synchronizeStream: async () => {},
  destroyStream: () => {},
  createEvent: () => ({}),
  recordEvent: () => {},
  synchronizeEvent: async () => {},
  queryEvent: () => true,
  elapsedMs: () => 0,
  destroyEvent: () => {},
};

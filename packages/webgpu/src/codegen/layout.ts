// How a kernel's arguments reach the shader: one uniform buffer (launch
// dimensions, scalar arguments, array lengths, as 32-bit words) at binding 0,
// one storage binding per array parameter, and an error buffer last when the
// kernel reports bounds or barrier errors. Shared by the emitter (which names
// the fields) and the runtime (which fills them); pure data, no GPU types.

import type { ElemType, ScalarType } from '@numbat/core';

/**
 * Fixed uniform words: the user's grid, the dispatch's x/y extent, the number of real blocks,
 * and a word that is always 0 (the shader adds it to float bits to hide values from the
 * driver's unsafe float rewrites: see nb_opq in helpers.ts).
 */
export const U_GRID = 0, U_DISP_X = 3, U_DISP_Y = 4, U_NBLOCKS = 5, U_ZERO = 6, U_FIXED_WORDS = 7;

export interface ScalarSlot { param: number; word: number; type: ScalarType; field: string }

export interface ArrayBinding {
  /** Parameters bound here (more than one when the same buffer is passed twice). */
  params: number[];
  binding: number;
  /** WGSL variable name. */
  name: string;
  elem: ElemType;
  /** 8/16-bit elements packed four/two to a u32 word. */
  packed: boolean;
  readOnly: boolean;
  /**
   * Set on a second, read-only binding of the same buffer as `array<vec4<T>>`
   * (the binding number of the scalar one): four consecutive loads read as one
   * vector (core's quadLoadAt). The buffer is bound at offset 0 and its binding
   * size is a multiple of 16 bytes (storageBytes), so every vec4 is whole.
   */
  vec4Of?: number;
}

export interface ArgLayout {
  /** Size of the uniform struct in 32-bit words (a multiple of 4). */
  uniformWords: number;
  scalars: ScalarSlot[];
  /** Uniform word holding each array parameter's element count, by parameter index. */
  lengthWord: Map<number, number>;
  arrays: ArrayBinding[];
  /** Binding of the error-report buffer, when the kernel checks bounds or barriers. */
  errorBinding?: number;
}

/** Words of the error-report buffer: [count, kind, site, a, b, thread xyz, block xyz]. */
export const ERR_WORDS = 12;
export const ERR_OOB = 1, ERR_BARRIER = 2, ERR_LOOP = 3;

/** Iterations per pass of an innermost loop unrolled under a driver loop limit. */
export const LOOP_UNROLL = 8;
/**
 * Under a driver loop limit, loops whose passes the IR bounds are not unrolled while all
 * bounded passes together stay below limit / LOOP_PASS_MARGIN (llvmpipe: 4095 of 65535).
 */
export const LOOP_PASS_MARGIN = 16;

/** Bytes a parameter's data takes in its storage buffer (packed arrays round up to words). */
export function storageBytes(elem: ElemType, length: number): number {
  const bytes = elem === 'i8' || elem === 'u8' ? length : elem === 'i16' || elem === 'u16' ? length * 2 : length * 4;
  return Math.max(16, Math.ceil(bytes / 16) * 16);
}

export function isNarrow(elem: ElemType): boolean {
  return elem === 'i8' || elem === 'u8' || elem === 'i16' || elem === 'u16';
}

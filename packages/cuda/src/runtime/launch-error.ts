// An error record (error-record.ts) → the LaunchError the other targets raise
// for the same mistake, with the same wording as the simulator.

import { launchErrors, type LaunchError } from '@numbat/core';
import { ERR, ERR_BARRIER_EXIT, ERR_BOUNDS, type CudaPlan } from '../codegen/abi.js';

function coords(linear: number, block: readonly number[]): number[] {
  const [bx, by] = block;
  return [linear % bx, Math.floor(linear / bx) % by, Math.floor(linear / (bx * by))];
}

/** `block` is the block shape of the failing launch (to turn linear thread ids into coordinates). */
export function launchErrorFrom(words: Int32Array, plan: CudaPlan | undefined, block: readonly number[]): LaunchError {
  const name = plan?.name ?? '?';
  const blockIdx = Array.from(words.subarray(ERR.BLOCK, ERR.BLOCK + 3));
  const kind = words[ERR.KIND];
  if (kind === ERR_BOUNDS) {
    const site = plan?.sites[words[ERR.SITE]] ?? { array: '?', line: 0 };
    const thread = Array.from(words.subarray(ERR.THREAD, ERR.THREAD + 3));
    const index = words[ERR.INDEX], length = words[ERR.LENGTH];
    return launchErrors.outOfBounds(name, { array: site.array, index, length, line: site.line, thread, block: blockIdx });
  }
  if (kind === ERR_BARRIER_EXIT) {
    const line = plan?.barrierLines[words[ERR.SITE]] ?? 0;
    const gone = coords(words[ERR.THREAD], block), waiting = coords(words[ERR.OTHER], block);
    return launchErrors.barrierExit(name, { block: blockIdx, exited: gone, waiting, line });
  }
  return launchErrors.unknown(name, kind, blockIdx);
}

// Where kernels report out-of-bounds accesses and barrier misuse: a claim word
// in device memory (the first failing thread wins it with an atomic
// compare-and-swap) and a record of ERR.WORDS int32s that the winner fills,
// FLAG last. The record is host memory mapped into the device, so checking it
// after a synchronisation is a plain memory read; where mapping is refused it
// is device memory read back with a copy. One record per stream.

import koffi from 'koffi';
import { ERR } from '../codegen/abi.js';
import { CU_MEMHOSTALLOC_DEVICEMAP, CU_MEMHOSTALLOC_PORTABLE } from '../driver/driver.js';
import type { Handle } from '../driver/libcuda.js';
import type { Gpu } from './device.js';

const BYTES = ERR.WORDS * 4;

export class ErrorRecord {
  readonly claimLo: number; readonly claimHi: number;
  readonly recLo: number; readonly recHi: number;
  private readonly claimPtr: number;
  private readonly recPtr: number;
  /** The mapped record, or undefined when it lives in device memory. */
  private readonly mapped?: Int32Array;
  private readonly hostPtr?: Handle;
  private readonly scratch = new Int32Array(ERR.WORDS);

  constructor(private readonly g: Gpu) {
    const d = g.driver;
    g.context();
    this.claimPtr = d.alloc(4);
    d.memsetD8(this.claimPtr, 0, 4);
    let recPtr: number;
    try {
      this.hostPtr = d.hostAlloc(BYTES, CU_MEMHOSTALLOC_DEVICEMAP | CU_MEMHOSTALLOC_PORTABLE);
      this.mapped = new Int32Array(koffi.view(this.hostPtr as bigint, BYTES));
      this.mapped.fill(0);
      recPtr = d.hostDevicePointer(this.hostPtr);
    } catch {
      this.mapped = undefined;
      this.hostPtr = undefined;
      recPtr = d.alloc(BYTES);
      d.memsetD8(recPtr, 0, BYTES);
    }
    this.recPtr = recPtr;
    [this.claimLo, this.claimHi] = [this.claimPtr % 2 ** 32, Math.floor(this.claimPtr / 2 ** 32)];
    [this.recLo, this.recHi] = [recPtr % 2 ** 32, Math.floor(recPtr / 2 ** 32)];
  }

  /** The record's words when a kernel has reported (call after synchronising), else undefined. */
  read(): Int32Array | undefined {
    if (this.mapped) return this.mapped[ERR.FLAG] ? this.mapped.slice() : undefined;
    this.g.driver.copyToHost(this.scratch, this.recPtr, BYTES);
    return this.scratch[ERR.FLAG] ? this.scratch.slice() : undefined;
  }

  /** Cheap test without synchronising: a kernel has already reported (mapped records only). */
  flagged(): boolean {
    return this.mapped !== undefined && this.mapped[ERR.FLAG] !== 0;
  }

  /** Releases the claim word and the record (the stream is gone). */
  free(): void {
    const d = this.g.driver;
    d.free(this.claimPtr);
    if (this.hostPtr) d.freeHost(this.hostPtr);
    else d.free(this.recPtr);
  }

  /** Clears the record after its error was reported (the GPU is idle on this stream). */
  reset(): void {
    if (this.mapped) this.mapped.fill(0);
    else this.g.driver.memsetD8(this.recPtr, 0, BYTES);
    this.g.driver.memsetD8(this.claimPtr, 0, 4);
  }
}

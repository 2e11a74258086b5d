// PTX → a loaded CUDA module and its kernel function. The driver JIT-compiles
// the PTX for the GPU at hand (and keeps the result in its own compute cache);
// identical PTX is loaded once per process.

import { createHash } from 'node:crypto';
import type { Handle } from '../driver/libcuda.js';
import type { Gpu } from './device.js';

const loaded = new Map<string, { module: Handle; functions: Map<string, Handle> }>();

export function loadKernelFunction(g: Gpu, ptx: string, entry: string, what: string): Handle {
  g.context();
  const id = createHash('sha256').update(ptx).digest('hex');
  let m = loaded.get(id);
  if (!m) {
    m = { module: g.driver.loadModule(Buffer.from(ptx + '\0', 'utf8'), what), functions: new Map() };
    loaded.set(id, m);
  }
  let fn = m.functions.get(entry);
  if (!fn) {
    fn = g.driver.getFunction(m.module, entry);
    m.functions.set(entry, fn);
  }
  return fn;
}

// Legalisation: the stage between the frontend and a backend that writes the
// JS-exact operations the backend does not render natively (caps.native) as
// simpler IR, once for every backend. `inspect('ir-legal')` prints its result.

import type { KernelIR } from '../ir/nodes.js';
import { verifyIR } from '../ir/verify.js';
import { legalRule } from './rules.js';
import { rewriteKernel } from './rewrite.js';
import type { NativeOp } from './native.js';

export { NATIVE_OPS, ALL_NATIVE, type NativeOp } from './native.js';
export { rewriteKernel, type Rule, type RewriteContext } from './rewrite.js';
export { FDLIBM_FNS } from './fdlibm.js';

/** A legalised copy of `ir` (the original is left as it is: the cache key and inspect('ir') print it). */
export function legalize(ir: KernelIR, native: readonly NativeOp[] = []): KernelIR {
  // Copies of what the rules append to (locals, arrays): the caller's IR stays as it was (inspect('ir'), the cache key, another target's legalisation).
  const out: KernelIR = { ...ir, locals: ir.locals.map((l) => ({ ...l })), arrays: [...ir.arrays], body: ir.body };
  rewriteKernel(out, legalRule(new Set(native)));
  verifyIR(out);
  return out;
}

// @numbat/core's public API, the typed IR and everything a backend builds on:
// shared by the Node entry (index.ts) and the browser entry (browser.ts).

import { registerBackend } from './backend.js';
import { simBackend } from './sim/backend.js';
import { registerHostBuiltin, registerNamedBuiltin } from './frontend/names.js';
import { cuda } from './api.js';
import { random } from './random/index.js';
import { checkThread } from './random/thread-check.js';
import { bitsF32, bitsF64, f32Bits, f64Hi, f64Lo } from './random/float-bits.js';
import { ulpCos, ulpLog, ulpSin } from './random/library-math.js';

// The built-in targets, each with its 'auto' priority (cuda, then a hardware WebGPU
// adapter, then cpu, then sim). The backend packages are imported on first use.
registerBackend('sim', async () => simBackend, { priority: 0 });
registerBackend('cpu', undefined, { priority: 10 });
registerBackend('webgpu', undefined, { priority: 20, hardwareOnly: true });
registerBackend('cuda', undefined, { priority: 30 });
registerHostBuiltin(cuda, { k: 'ns', path: 'cuda' });
registerNamedBuiltin('random', random);
registerHostBuiltin(checkThread, { k: 'ns', path: 'random.checkThread' });
// the random library's float bits and ulp-accurate f64 math (random/float-bits.ts, library-math.ts)
for (const [f, name] of [[f32Bits, 'f32Bits'], [bitsF32, 'bitsF32'], [f64Hi, 'f64Hi'], [f64Lo, 'f64Lo'], [bitsF64, 'bitsF64'], [ulpLog, 'ulpLog'], [ulpSin, 'ulpSin'], [ulpCos, 'ulpCos']] as const) {
  registerHostBuiltin(f, { k: 'ns', path: `random.${name}` });
}

export { cuda, random };
export { Kernel, abortedError, type JitOptions, type Dim, type LaunchOptions } from './kernel.js';
export { DeviceArray, toDevice, deviceArray, external } from './device-array.js';
export { NdArray, ndarray } from './ndarray.js';
export { DeviceFunction } from './device-function.js';
export type { RecordedSource } from './recorded-source.js';
export { Stream, Event, type BackendStreams } from './stream.js';
export { reduce, type Reducer, type ReduceOptions, type ReduceCall } from './reduce.js';
export { f32, f64, i32, u32, i16, u16, i8, u8, i64, u64 } from './types.js';
export * from './types.js';
export { CompileError, LaunchError, launchErrors, codeFrame, siteOf, type OutOfBounds } from './errors.js';
export * from './backend.js';
export { resolveTarget, targetAvailability, explainAuto, type AutoChoice } from './targets.js';
export { log, logEnabled, logLevel, type LogLevel } from './log.js';
export * from './ir/nodes.js';
export * from './ir/ops.js';
export { analyzeUniformity, exprUniform, uniformIf, BLOCK_UNIFORMITY, type UniformityInfo, type UniformityRules } from './ir/uniformity.js';
export { localScopes } from './ir/local-scopes.js';
export { printIR } from './ir/print.js';
export { legalize, rewriteKernel, NATIVE_OPS, ALL_NATIVE, FDLIBM_FNS, type NativeOp, type Rule, type RewriteContext } from './legalize/index.js';
export { forEachStmt, someStmt, forEachExpr, childExprs, mapChildren, stmtExprs, localOf } from './ir/walk.js';
export { quadLoadAt, sameExpr, type QuadLoad } from './ir/quad-loads.js';
export { hoistBoundsChecks } from './ir/hoist-bounds.js';
export { loopPassBounds, loopTripBound, Ranges, type LoopPassBounds } from './ir/trip-count.js';
export { keepThreadStatesInLocals } from './random/state-locals.js';
export { blockDrawLoops } from './random/draw-blocks.js';
export { lookaheadDraws } from './random/draw-lookahead.js';
export { scalarizeLocalArrays } from './ir/local-array-scalars.js';
export { continueToElse } from './ir/continue-to-else.js';
export { wrapToGuard } from './ir/wrap-to-guard.js';
export { flattenRetryLoops } from './ir/flatten-retry-loops.js';
export { verifyIR } from './ir/verify.js';
export { binaryJs, unaryJs, convertJs, bitcastJs, bitcastOk, mathJs, atomicNewJs, evalBinary, evalUnary, evalConvert, evalBitcast, evalMath } from './ir/semantics.js';
export { MATH_DECLS, MATH_FNS, MATH_CONSTANTS, mathSignature, type MathFn, type MathDecl } from './intrinsics.js';
export { simBackend } from './sim/backend.js';
export { hashString } from './hash.js';

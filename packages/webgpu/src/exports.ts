// @numbat/webgpu's public API, shared by the Node entry (index.ts) and the
// browser entry (browser.ts).

/// <reference types="@webgpu/types" preserve="true" />

export { backend, adapterInfo } from './backend.js';
export { useDevice } from './runtime/device.js';
export { generateWgsl, MATH_LOWERING, HELPERS, LOOP_UNROLL, LOOP_PASS_MARGIN } from './codegen/index.js';
export type { WgslKernel, GenerateOptions, LoopForm } from './codegen/index.js';
export { dispatchShape } from './runtime/launch.js';
export { WebGpuError } from './runtime/queue.js';
export type { AdapterSummary } from './runtime/device.js';

// @numbat/webgpu (Node, Deno, Bun): target 'webgpu' through Dawn's Node
// bindings (the webgpu package; runtime/dawn.ts), or navigator.gpu where the
// runtime has one. The browser entry is browser.ts.

/// <reference types="@webgpu/types" preserve="true" />

import { useAdapterSource } from './runtime/device.js';
import { dawnAdapter } from './runtime/dawn.js';

useAdapterSource(dawnAdapter);

export * from './exports.js';

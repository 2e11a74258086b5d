// @numbat/webgpu in a browser (the package's `browser` export condition):
// navigator.gpu is the adapter source (the default in runtime/device.ts), no
// Node built-ins, no Dawn. Importing it registers the backend with core, so a
// bundle needs no import by a computed name; and since a browser has no cpu or
// cuda target, 'auto' takes webgpu on any adapter, software ones (SwiftShader)
// included: they still beat the simulator by far.

/// <reference types="@webgpu/types" preserve="true" />

import { registerBackend } from '@numbat/core';
import { backend } from './backend.js';

registerBackend('webgpu', async () => backend, { hardwareOnly: false });

export * from './exports.js';

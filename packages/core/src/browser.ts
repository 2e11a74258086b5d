// @numbat/core in a browser (the package's `browser` export condition): the
// same public API (exports.ts), without Node built-ins. Availability is asked
// in-process (there are no child processes), and the native targets say why
// they are missing instead of trying to import a package by a computed name.
// Importing @numbat/webgpu registers the webgpu backend (its browser entry).

import { BackendUnavailableError, registerBackend } from './backend.js';

for (const target of ['cpu', 'cuda']) {
  registerBackend(target, async () => {
    throw new BackendUnavailableError(target, 'not available in a browser (a native backend for Node, Deno and Bun)');
  });
}

export * from './exports.js';

// @numbat/core (Node, Deno, Bun): the public API (exports.ts). 'auto' probes
// targets it has not loaded in child processes (probe.ts), so that only the
// chosen backend's native code loads here. The browser entry is browser.ts.

import { useChildProbe } from './targets.js';

useChildProbe(() => import('./probe.js'));

export * from './exports.js';

// `@numbat/core/build`: bundler plugins that record kernels' original source
// (record.ts) so minified builds compile what the author wrote. docs/bundlers.md.

import { readFile } from 'node:fs/promises';
import { recordKernels, type RecordOptions, type RecordResult } from './record.js';

export { recordKernels, type RecordOptions, type RecordResult };

export interface PluginOptions extends RecordOptions {
  /** Which files to look at (default: JavaScript and TypeScript modules, node_modules included, so libraries' kernels and numbat's own are recorded too). */
  filter?: RegExp;
}

const DEFAULT_FILTER = /\.(m|c)?(j|t)sx?$/;

/** esbuild: `build({ plugins: [esbuildPlugin()] })`. */
export function esbuildPlugin(options: PluginOptions = {}) {
  const filter = options.filter ?? DEFAULT_FILTER;
  return {
    name: 'numbat-record-kernels',
    setup(build: { onLoad(o: { filter: RegExp }, cb: (a: { path: string }) => Promise<unknown>): void }) {
      build.onLoad({ filter }, async ({ path }) => {
        const code = await readFile(path, 'utf8');
        const r = recordKernels(code, path, options);
        if (r.code === undefined && r.warnings.length === 0) return undefined; // esbuild loads it as usual
        return {
          contents: r.code ?? code,
          loader: loaderOf(path),
          warnings: r.warnings.map((w) => ({ text: w.message, location: { file: path, line: w.line, column: w.column - 1 } })),
        };
      });
    },
  };
}

function loaderOf(path: string): 'js' | 'ts' | 'jsx' | 'tsx' {
  if (/\.(m|c)?ts$/.test(path)) return 'ts';
  if (/\.tsx$/.test(path)) return 'tsx';
  if (/\.jsx$/.test(path)) return 'jsx';
  return 'js';
}

/** Rollup: `plugins: [rollupPlugin()]` (before any plugin that transpiles TypeScript). */
export function rollupPlugin(options: PluginOptions = {}) {
  const filter = options.filter ?? DEFAULT_FILTER;
  return {
    name: 'numbat-record-kernels',
    transform(this: { warn?(w: { message: string }): void }, code: string, id: string) {
      const path = id.replace(/[?#].*$/, '');
      if (id.startsWith('\0') || !filter.test(path)) return null;
      const r = recordKernels(code, path, options);
      for (const w of r.warnings) this.warn?.({ message: `${w.message} (${path}:${w.line}:${w.column})` });
      return r.code === undefined ? null : { code: r.code, map: null };
    },
  };
}

/** Vite (build and dev): `plugins: [vitePlugin()]`; runs before Vite's own TypeScript transform. */
export function vitePlugin(options: PluginOptions = {}) {
  return { ...rollupPlugin(options), enforce: 'pre' as const };
}

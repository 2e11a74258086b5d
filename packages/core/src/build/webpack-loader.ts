// `@numbat/core/build/webpack-loader`: webpack's form of the bundler plugin
// (record.ts). Put it first in `use` for .js/.ts modules (docs/bundlers.md).

import { recordKernels, type RecordOptions } from './record.js';

interface LoaderContext {
  resourcePath: string;
  getOptions?(): RecordOptions;
  emitWarning(e: Error): void;
}

export default function numbatLoader(this: LoaderContext, source: string): string {
  const r = recordKernels(source, this.resourcePath, this.getOptions?.() ?? {});
  for (const w of r.warnings) this.emitWarning(new Error(`${w.message} (${this.resourcePath}:${w.line}:${w.column})`));
  return r.code ?? source;
}

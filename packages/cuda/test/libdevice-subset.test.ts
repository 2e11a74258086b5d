// The libdevice subset a kernel links is read lazily (only the bodies of the
// functions kept, and of what they call, are parsed): it must hold exactly
// what a full parse of libdevice trimmed to the same functions holds.
import { describe, expect, it } from 'vitest';
import { NativeModule } from '@numbat/llvm';
import { libdeviceBitcode, libdevicePath, libdeviceSubset } from '../dist/codegen/libdevice.js';
import { nvptxSpec } from '../dist/codegen/target.js';

/** Definitions and globals of a module's text, each line as printed (attribute group numbers dropped). */
function contents(text: string): string[] {
  const out: string[] = [];
  let body: string[] | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('define ')) body = [line.replace(/ #\d+/g, '')];
    else if (body) {
      body.push(line);
      if (line === '}') { out.push(body.join('\n')); body = undefined; }
    } else if (line.startsWith('@')) out.push(line);
  }
  return out.sort();
}

describe.skipIf(!libdevicePath())('libdevice subsets', () => {
  it('a lazily read subset holds what a full parse trimmed to the same functions holds', () => {
    const spec = nvptxSpec('sm_86');
    for (const names of [['__nv_logf', '__nv_sinf', '__nv_cosf', '__nv_exp'], ['__nv_fmod'], ['__nv_powf', '__nv_erff']]) {
      const full = NativeModule.parse(libdeviceBitcode(), 'libdevice');
      let want: string;
      try {
        for (const f of full.definedFunctions()) if (!names.includes(f)) full.setLinkage(f, 8);
        full.optimize(spec, 'globaldce');
        want = full.print();
      } finally {
        full.dispose();
      }
      const got = libdeviceSubset(names, spec);
      expect(contents(got)).toEqual(contents(want));
      for (const n of names) expect(got).toContain(`define double @${n}(`.replace('double', n.endsWith('f') ? 'float' : 'double'));
    }
  });
});

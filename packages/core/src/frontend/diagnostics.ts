// Words for what the user wrote, used in CompileError messages. The errors
// themselves are raised through LowerContext.fail / typeFail (context.ts),
// which add the file, line and code frame.

import type * as acorn from 'acorn';
import type { Val } from './values.js';

/** `ForOfStatement` → "for of statement". */
export function describeNode(node: acorn.Node): string {
  return node.type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** What a non-scalar value is, for "… must be a number or boolean, got …". */
export function describeVal(v: Val): string {
  switch (v.k) {
    case 'scalar': return 'a number';
    case 'array': return `array '${v.name}'`;
    case 'tuple': return 'a tuple (destructure cuda.grid(n))';
    case 'ns': return v.path;
    case 'dtype': return `dtype ${v.elem}`;
    case 'devfn': return 'a device function (call it)';
    case 'host': return 'a host object';
  }
}

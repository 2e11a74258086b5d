// The conformance corpus (@numbat/core/testsuite) on the simulator, against each
// case's plain-JS reference: the oracle every other target is compared with.
// Each backend package runs the same suite on its own target, against the
// simulator, from packages/<b>/test/conformance.test.ts
// (`npx vitest run conformance` runs them all).

import { describe, it } from 'vitest';
import { assertCase, CORPUS, runCase } from '@numbat/core/testsuite';

describe('sim matches the plain-JS references', () => {
  for (const c of CORPUS) it(c.name, async () => assertCase(await runCase(c, 'sim')));
});

// The conformance corpus (@numbat/core/testsuite) on target 'cuda', each case
// compared with the simulator; skipped, with the reason, where cuda is unavailable.

import { describe, it } from 'vitest';
import { targetAvailability } from '@numbat/core';
import { assertCase, CORPUS, runCase } from '@numbat/core/testsuite';

const target = 'cuda';
const a = await targetAvailability(target);

describe.skipIf(!a.ok)(a.ok ? `${target} matches sim (${a.device ?? 'device'})` : `${target} (skipped: ${a.reason})`, () => {
  for (const c of CORPUS) it(c.name, async () => assertCase(await runCase(c, target)));
});

import { PassThrough } from 'node:stream';
import { expect, it } from 'vitest';
import { ManualClock } from '@phiguard/core';
import { runComputeDemo } from './compute-demo.ts';

it('the placement demo sends PHI only to the attested node under a BAA, de-identified data to the cheapest GPU', () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  runComputeDemo(out, new ManualClock(Date.parse('2026-11-24T12:00:00Z')));
  const [, phi, deid] = text.split(/\n(?=\s+job )/);
  expect(phi).toMatch(/\(phi\): chosen h100-snp-cc at \$2\.20\/h/);
  expect(phi).toMatch(/- rtx4090-plain .*refused: .*phi-needs-verified-cpu-tee/);
  expect(phi).toMatch(/- a100-tdx .*phi-needs-valid-baa/);
  expect(deid).toMatch(/\(deidentified\): chosen rtx4090-plain at \$0\.18\/h/);
});

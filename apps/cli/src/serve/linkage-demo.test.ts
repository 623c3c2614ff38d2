import { PassThrough } from 'node:stream';
import { ManualClock } from '@phiguard/core';
import { describe, expect, it } from 'vitest';
import { runLinkageDemo } from './linkage-demo.ts';

describe('serve --demo: re-identification', () => {
  it('shows the two-person flow and its ledger actions', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    await runLinkageDemo(out, new ManualClock(Date.UTC(2026, 10, 1)));
    expect(text).toMatch(/MRN 4711-0815 → LNK-[0-9A-Z]{32}\n/);
    expect(text).toContain('the researcher approves their own request: refused (approval-denied)');
    expect(text).toContain('the steward reveals: refused (approval-denied)');
    expect(text).toMatch(/the researcher reveals: LNK-[0-9A-Z]{32} → 4711-0815 \(mrn\)/);
    expect(text).toContain('a second reveal: refused (approval-denied)');
    expect(text).toContain('ledger: linkage.reveal.request success, linkage.reveal.approve denied (self-approval), linkage.reveal.approve success, linkage.reveal denied (approval-denied), linkage.reveal success, linkage.reveal denied (approval-denied)');
  });
});

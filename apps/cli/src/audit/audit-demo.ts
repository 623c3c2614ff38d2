import { openLedger, type AuditEventInput } from '@phiguard/audit';
import { newId, type Clock, type PhiguardConfig } from '@phiguard/core';

/**
 * `serve --demo`, audit part: records a few typical events in the configured ledger (embedded
 * PGlite by default), prints where each landed and the signed checkpoint covering them, and
 * closes the ledger so `phiguard audit verify` can open the same folder.
 */
export async function runAuditDemo(config: PhiguardConfig, clock: Clock, out: NodeJS.WritableStream): Promise<void> {
  const user = newId('usr', clock);
  const dataset = newId('ds', clock);
  const events: AuditEventInput[] = [
    { actor: { kind: 'system', id: 'server' }, action: 'server.start', outcome: 'success' },
    { actor: { kind: 'user', id: user }, action: 'auth.login', outcome: 'success', details: { mfa: 'totp' } },
    { actor: { kind: 'user', id: user }, action: 'dataset.read', outcome: 'success', purpose: 'HRESCH', resources: [{ type: 'dataset', id: dataset }] },
    { actor: { kind: 'user', id: user }, action: 'dataset.export', outcome: 'denied', purpose: 'HRESCH', reason: 'policy-denied', resources: [{ type: 'dataset', id: dataset }] },
  ];
  const ledger = await openLedger({ config, clock });
  try {
    const receipts = await Promise.all(events.map((e) => ledger.record(e)));
    receipts.forEach((r, i) => {
      out.write(`demo: audit ${events[i]?.action ?? ''} -> index ${String(r.index)} (checkpoint size ${String(r.checkpointSize)})\n`);
    });
    out.write(`demo: signed checkpoint of the audit ledger:\n${ledger.head.note.trimEnd().replace(/^(?=.)/gm, '  ')}\n`);
    out.write('demo: check it with `phiguard audit verify` (or `phiguard audit proof 0`)\n');
  } finally {
    await ledger.close();
  }
}

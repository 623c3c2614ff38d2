import { validateAuditEvent, type AuditEventInput, type AuditRecorder } from '@phiguard/audit';
import type { Clock } from '@phiguard/core';
import { createMemoryKeyProvider } from '@phiguard/keys';
import { LinkageVault, MemoryLinkageStore } from '@phiguard/vault';
import { decidedLine, requestedLine, viewOf } from '../commands/linkage-output.ts';

// Fictional people and a fictional MRN (no real person).
const RESEARCHER = 'usr_01jd00000000000000000000r1';
const STEWARD = 'usr_01jd00000000000000000000s1';
const MRN = '4711-0815';

/**
 * `serve --demo`, re-identification part: a fictional MRN tokenized into a throw-away linkage
 * vault (memory store, memory key), then the two-person flow — request with purpose and reason,
 * self-approval refused, approval by another person, one reveal by the requester — with the
 * ledger actions it records (docs/reidentification.md). Nothing is written to the real stores.
 */
export async function runLinkageDemo(out: NodeJS.WritableStream, clock: Clock): Promise<void> {
  const events: AuditEventInput[] = [];
  // A throw-away ledger: events are checked against the ledger's schema (ids, codes, counts only) and listed.
  const audit: AuditRecorder = {
    record: (e) => {
      events.push(validateAuditEvent(e));
      return Promise.resolve({ index: events.length - 1, checkpointSize: events.length });
    },
  };
  const { provider } = createMemoryKeyProvider(['demo-linkage-key'], clock.nowMs());
  const vault = await LinkageVault.open({ store: new MemoryLinkageStore(), provider, keyId: 'demo-linkage-key', audit, clock });
  const say = (line: string): void => {
    out.write(`  ${line}\n`);
  };
  const refused = async (work: Promise<unknown>): Promise<string> => work.then(() => 'allowed (unexpected)', (e: unknown) => `refused (${(e as { code?: string }).code ?? 'error'})`);
  out.write('demo: re-identification through the linkage vault (fictional MRN; `phiguard linkage --help`)\n');
  const token = vault.tokenize('mrn', MRN);
  await vault.flush();
  say(`deid with an encrypt rule: MRN ${MRN} → ${token}`);
  const request = await vault.request({ requester: RESEARCHER, tokens: [token], purpose: 'HRESCH', reason: 'model finding: re-contact for a trial' });
  say(requestedLine(viewOf(vault, request, false)));
  say(`the researcher approves their own request: ${await refused(vault.approve({ requestId: request.id, approver: RESEARCHER }))}`);
  await vault.approve({ requestId: request.id, approver: STEWARD });
  const approved = await vault.get(request.id);
  if (approved !== undefined) say(decidedLine(viewOf(vault, approved, false)));
  say(`the steward reveals: ${await refused(vault.reveal({ requestId: request.id, actor: STEWARD, purpose: 'HRESCH' }))}`);
  const revealed = await vault.reveal({ requestId: request.id, actor: RESEARCHER, purpose: 'HRESCH' });
  say(`the researcher reveals: ${token} → ${revealed.get(token)?.value ?? '?'} (${revealed.get(token)?.kind ?? '?'})`);
  say(`a second reveal: ${await refused(vault.reveal({ requestId: request.id, actor: RESEARCHER, purpose: 'HRESCH' }))}`);
  say(`ledger: ${events.map((e) => `${e.action} ${e.outcome}${e.reason === undefined ? '' : ` (${e.reason})`}`).join(', ')}`);
}

import { describe, expect, it } from 'vitest';
import { MemoryAuditRecorder } from './memory-audit-recorder.ts';

describe('MemoryAuditRecorder', () => {
  it('keeps valid events in order and refuses what the ledger would refuse', async () => {
    const recorder = new MemoryAuditRecorder();
    const receipt = await recorder.record({ actor: { kind: 'system', id: 'test' }, action: 'key.create', outcome: 'success' });
    expect(receipt.index).toBe(0);
    await expect(recorder.record({ actor: { kind: 'user', id: 'John Smith' }, action: 'key.create', outcome: 'success' })).rejects.toThrow(/actor.id/);
    expect(recorder.withAction('key.create')).toHaveLength(1);
  });
});

import { dropTestSchema, randomTestSchema, TEST_PG_URL } from '@phiguard/audit';
import { ManualClock } from '@phiguard/core';
import { createMemoryKeyProvider } from '@phiguard/keys';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { openVaultDatabase } from '../sql/open-vault-database.ts';
import { SqlLinkageStore } from '../sql/sql-linkage-store.ts';
import { LinkageVault } from './linkage-vault.ts';

// The linkage vault on PostgreSQL (the unit tests use PGlite): same tables, same flow, and the
// compare-and-set that makes a reveal single-use holds with concurrent callers on a pool.
const schema = randomTestSchema('vault_linkage');
afterAll(async () => {
  await dropTestSchema(schema);
});

describe('LinkageVault on PostgreSQL', () => {
  it('tokenize, flush (multi-row), request, approve, one reveal among concurrent ones', async () => {
    const driver = await openVaultDatabase({ kind: 'postgres', url: TEST_PG_URL, schema });
    try {
      const { provider } = createMemoryKeyProvider(['linkage-key']);
      const options = { store: new SqlLinkageStore(driver), provider, keyId: 'linkage-key', audit: new MemoryAuditRecorder(), clock: new ManualClock(Date.UTC(2026, 10, 1)) };
      const vault = await LinkageVault.open(options);
      const values = Array.from({ length: 1200 }, (_, i) => `MRN-${String(i).padStart(6, '0')}`);
      const tokens = values.map((v) => vault.tokenize('mrn', v));
      await vault.flush();
      const reopened = await LinkageVault.open(options);
      expect(reopened.tokenize('mrn', values[7] ?? '')).toBe(tokens[7]);
      const request = await vault.request({ requester: 'usr_01jxk3q8y9a2b3c4d5e6f7g8h9', tokens: tokens.slice(0, 50), purpose: 'HRESCH', reason: 'contact trial candidates' });
      await vault.approve({ requestId: request.id, approver: 'usr_01jxk3q8y9a2b3c4d5e6f7g8ha' });
      const results = await Promise.allSettled([0, 1, 2, 3].map(() => vault.reveal({ requestId: request.id, actor: 'usr_01jxk3q8y9a2b3c4d5e6f7g8h9' })));
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      const revealed = won[0]?.status === 'fulfilled' ? won[0].value : new Map();
      expect(tokens.slice(0, 50).map((t) => (revealed.get(t) as { value: string } | undefined)?.value)).toEqual(values.slice(0, 50));
    } finally {
      await driver.close();
    }
  });
});

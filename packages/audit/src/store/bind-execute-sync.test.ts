// bindExecuteSync writes the bytes that node-postgres' own serializer (pg-protocol) writes for
// Bind + Execute + Sync of a named statement with text and binary parameters.
import fc from 'fast-check';
import { serialize } from 'pg-protocol';
import { expect, it } from 'vitest';
import { bindExecuteSync } from './bind-execute-sync.ts';

function oracle(statement: string, values: readonly (string | Buffer)[]): Buffer {
  return Buffer.concat([serialize.bind({ statement, values: [...values] }), serialize.execute(), serialize.sync()]);
}

it('equals node-postgres for any statement name and any text or byte parameters (property)', () => {
  const value = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
  );
  fc.assert(
    fc.property(fc.stringMatching(/^[a-z_][a-z0-9_]{0,40}$/), fc.array(value, { maxLength: 16 }), (name, values) => {
      expect(bindExecuteSync(name, values).equals(oracle(name, values))).toBe(true);
    }),
  );
});

it('equals node-postgres for a ledger-sized append (13 parameters, 8 KiB of tile bytes)', () => {
  const values = [
    '1000',
    Buffer.alloc(2400, 7),
    '{0,300,600}',
    'usr_a\nusr_b',
    'x.y\nx.z',
    '2026-11-24T00:00:00.000Z',
    'r|a|b\tt|a\ti|b',
    '{0}',
    '{3}',
    Buffer.alloc(8192, 9),
    '{0,8192}',
    '1003',
    'origin\n3\nAAAA\n\n— sig\n',
  ];
  expect(bindExecuteSync('phiguard_ledger_append_packed', values).equals(oracle('phiguard_ledger_append_packed', values))).toBe(true);
});

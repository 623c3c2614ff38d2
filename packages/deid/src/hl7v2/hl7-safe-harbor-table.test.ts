import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HL7_SAFE_HARBOR_TABLE, HL7_SAFE_HARBOR_TABLE_SPEC } from './hl7-safe-harbor-table.ts';

const REQUIRED = ['MSH', 'EVN', 'PID', 'PD1', 'NK1', 'PV1', 'PV2', 'GT1', 'IN1', 'IN2', 'IN3', 'MRG', 'ORC', 'OBR', 'OBX', 'NTE', 'TXA', 'SCH', 'AIP', 'AIL', 'ROL', 'AL1', 'DG1', 'PR1'];

describe('HL7 v2 Safe Harbor table', () => {
  it('covers every segment the issue names', () => {
    for (const seg of REQUIRED) expect(HL7_SAFE_HARBOR_TABLE.has(seg), seg).toBe(true);
  });

  it('puts the identifying fields where HL7 v2.8 has them', () => {
    const kind = (seg: string, n: number): string => HL7_SAFE_HARBOR_TABLE.get(seg)?.[n - 1]?.kind ?? 'none';
    const expected: [string, number, string][] = [
      ['PID', 3, 'pid'], ['PID', 5, 'name'], ['PID', 7, 'dob'], ['PID', 11, 'addr'], ['PID', 13, 'phone'], ['PID', 18, 'acct'], ['PID', 19, 'ssn'], ['PID', 20, 'lic'],
      ['NK1', 2, 'name'], ['NK1', 4, 'addr'], ['NK1', 5, 'phone'], ['NK1', 37, 'ssn'], ['GT1', 3, 'name'], ['GT1', 5, 'addr'], ['GT1', 12, 'ssn'], ['GT1', 16, 'org'],
      ['IN1', 16, 'name'], ['IN1', 19, 'addr'], ['IN1', 36, 'plan'], ['IN1', 49, 'plan'], ['IN2', 2, 'ssn'], ['IN2', 49, 'name'], ['IN2', 61, 'plan'], ['IN2', 70, 'org'],
      ['PV1', 19, 'acct'], ['MRG', 1, 'pid'], ['MRG', 7, 'name'], ['OBX', 5, 'obx5'], ['NTE', 3, 'text'], ['ORC', 2, 'id'], ['OBR', 3, 'id'], ['MSH', 7, 'date'],
    ];
    for (const [seg, n, k] of expected) expect(kind(seg, n), `${seg}-${String(n)}`).toBe(k);
    expect(HL7_SAFE_HARBOR_TABLE_SPEC.IN2?.[60]?.[0]).toBe('Patient Member Number');
  });

  it('is documented field by field in docs/deid/hl7v2.md', () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../../../docs/deid/hl7v2.md'), 'utf8');
    for (const [seg, fields] of Object.entries(HL7_SAFE_HARBOR_TABLE_SPEC)) {
      fields.forEach(([name], i) => {
        expect(doc, `${seg}-${String(i + 1)}`).toContain(`| ${seg}-${String(i + 1)} | ${name.replaceAll('|', '\\|')} |`);
      });
    }
  });
});

import { canonicalJsonBytes, ManualClock, type JsonValue } from '@phiguard/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../events/audit-event.ts';
import { validateAuditEvent } from '../events/validate-event.ts';
import { mapToOcsf, OCSF_FIXED_STRINGS, OCSF_VERSION } from './map-ocsf.ts';
import { classifyAction, OCSF_MAPPING_STRINGS } from './ocsf-classes.ts';
import { checkpointRecord, eventRecord } from './shipped-record.ts';
import { auditEventArbitrary } from './testing/audit-event-arbitrary.ts';

const ORIGIN = 'phiguard.test/log';

function event(input: unknown): AuditEvent {
  return { ...validateAuditEvent(input), v: 1, time: '2026-11-24T04:05:06.789Z' };
}

function strings(value: JsonValue, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value as readonly JsonValue[]) strings(v, out);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

const USER = 'usr_01jd0000000000000000000000';

describe('mapToOcsf (OCSF 1.3.0)', () => {
  it.each([
    ['dataset.read', 6003, 6, 2],
    ['dataset.create', 6003, 6, 1],
    ['blob.delete', 6003, 6, 4],
    ['authz.decide', 6003, 6, 99],
    ['auth.login', 3002, 3, 1],
    ['session.logout', 3002, 3, 2],
    ['user.create', 3001, 3, 1],
    ['user.password-reset', 3001, 3, 4],
    ['user.mfa-enable', 3001, 3, 10],
    ['key.destroy', 3004, 3, 4],
    ['key.rotate', 3004, 3, 3],
    ['node.enroll', 3004, 3, 6],
  ])('classifies %s as class %i, category %i, activity %i', (action, classUid, categoryUid, activityId) => {
    const c = classifyAction(action);
    expect([c.classUid, c.categoryUid, c.activityId]).toEqual([classUid, categoryUid, activityId]);
  });

  it('maps a data read to API Activity with actor, api, resources, status and metadata', () => {
    const e = event({
      actor: { kind: 'user', id: USER },
      action: 'dataset.read',
      outcome: 'denied',
      resources: [{ type: 'dataset', id: 'ds_01jd0000000000000000000001' }],
      purpose: 'HRESCH',
      reason: 'policy-denied',
      requestId: 'req-1',
      details: { rows: 10 },
    });
    const ocsf = mapToOcsf(eventRecord(ORIGIN, 7, e, canonicalJsonBytes(e)), { vendorName: 'Example Health' });
    expect(ocsf).toMatchObject({
      class_uid: 6003,
      category_uid: 6,
      activity_id: 2,
      type_uid: 600302,
      severity_id: 3,
      status_id: 2,
      status: 'Failure',
      status_code: 'denied',
      status_detail: 'policy-denied',
      time: Date.parse('2026-11-24T04:05:06.789Z'),
      actor: { user: { uid: USER, type_id: 1 } },
      api: { operation: 'dataset.read', request: { uid: 'req-1' } },
      resources: [{ uid: 'ds_01jd0000000000000000000001', type: 'dataset' }],
      metadata: {
        version: OCSF_VERSION,
        product: { name: 'PHIGuard', vendor_name: 'Example Health' },
        uid: `${ORIGIN}/7`,
        log_name: ORIGIN,
        original_time: '2026-11-24T04:05:06.789Z',
        correlation_uid: 'req-1',
      },
      unmapped: { log_index: 7, purpose_of_use: 'HRESCH', details: { rows: 10 } },
    });
  });

  it('fills the class-specific object: user for Authentication and Account Change, entity for Entity Management', () => {
    const login = event({ actor: { kind: 'user', id: USER }, action: 'auth.login', outcome: 'success' });
    expect(mapToOcsf(eventRecord(ORIGIN, 0, login, canonicalJsonBytes(login)))).toMatchObject({
      class_uid: 3002,
      user: { uid: USER },
      status_id: 1,
      severity_id: 1,
    });
    const target = 'usr_01jd0000000000000000000009';
    const change = event({
      actor: { kind: 'user', id: USER },
      action: 'user.disable',
      outcome: 'success',
      resources: [{ type: 'user', id: target }],
    });
    expect(mapToOcsf(eventRecord(ORIGIN, 1, change, canonicalJsonBytes(change)))).toMatchObject({
      class_uid: 3001,
      activity_id: 5,
      user: { uid: target },
    });
    const key = event({
      actor: { kind: 'service', id: 'svc_01jd0000000000000000000000' },
      action: 'key.destroy',
      outcome: 'error',
      resources: [{ type: 'key', id: 'key_01jd0000000000000000000000' }],
    });
    expect(mapToOcsf(eventRecord(ORIGIN, 2, key, canonicalJsonBytes(key)))).toMatchObject({
      class_uid: 3004,
      type_uid: 300404,
      severity_id: 4,
      entity: { uid: 'key_01jd0000000000000000000000', type: 'key' },
      actor: { user: { type_id: 3 } },
    });
  });

  it('maps a checkpoint to a Base Event carrying the signed note', () => {
    const note = `${ORIGIN}\n3\nAAAA\n\n— sig\n`;
    const ocsf = mapToOcsf(checkpointRecord(note, 3), { clock: new ManualClock(1000) });
    expect(ocsf).toMatchObject({
      class_uid: 0,
      type_uid: 99,
      time: 1000,
      metadata: { uid: `${ORIGIN}/checkpoint/3` },
      unmapped: { checkpoint_size: 3, checkpoint_note: note },
    });
  });

  it('for any event: consistent ids, and every string is a mapping constant or a value of the record', () => {
    fc.assert(
      fc.property(auditEventArbitrary, fc.nat({ max: 1e9 }), (e, index) => {
        const record = eventRecord(ORIGIN, index, e, canonicalJsonBytes(e));
        const ocsf = mapToOcsf(record);
        expect([3001, 3002, 3004, 6003]).toContain(ocsf.class_uid);
        expect(ocsf.type_uid).toBe((ocsf.class_uid as number) * 100 + (ocsf.activity_id as number));
        expect(ocsf.time).toBe(Date.parse(e.time));
        const fromEvent = strings(JSON.parse(JSON.stringify(e)) as JsonValue);
        const allowed = new Set<string>([
          ...OCSF_MAPPING_STRINGS,
          ...OCSF_FIXED_STRINGS,
          record.key,
          record.origin,
          record.leafHash,
          ...fromEvent,
          ...e.action.split('.'),
        ]);
        for (const s of strings(ocsf)) expect(allowed.has(s), s).toBe(true);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 200) },
    );
  });
});

describe('break-glass alerting', () => {
  it('raises break-glass to Critical in OCSF and to syslog severity 1 (alert)', async () => {
    const { formatSyslog5424 } = await import('./format-syslog-5424.ts');
    const event: AuditEvent = {
      v: 1,
      time: '2026-11-24T00:00:00.000Z',
      actor: { kind: 'user', id: 'usr_01jd8k2m3n4p5q6r7s8t9v0w1x' },
      action: 'breakglass.start',
      outcome: 'success',
      purpose: 'BTG',
      reason: 'etreat',
    };
    const record = eventRecord('phiguard.test/audit', 7, event, canonicalJsonBytes(event));
    expect(mapToOcsf(record)).toMatchObject({ severity_id: 5, severity: 'Critical' });
    const line = formatSyslog5424(record, { facility: 10 });
    expect(line.startsWith(`<${String(10 * 8 + 1)}>1 `)).toBe(true);
  });
});

import { canonicalJsonBytes, ManualClock } from '@phiguard/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateAuditEvent } from '../events/validate-event.ts';
import { escapeSdValue, formatSyslog5424, SEVERITY_BY_OUTCOME, syslogSeverity } from './format-syslog-5424.ts';
import { frameOctetCounting, splitOctetCounted } from './octet-counting.ts';
import { parseSyslog5424 } from './parse-syslog-5424.ts';
import { checkpointRecord, eventRecord, leafHashHex } from './shipped-record.ts';
import { auditEventArbitrary, sampleEvent } from './testing/audit-event-arbitrary.ts';

// Printable ASCII origins, including the three characters §6.3.3 requires escaping.
const origin = fc.stringMatching(/^[\x21-\x7e]{1,40}$/);

describe('formatSyslog5424 (RFC 5424)', () => {
  it('any event becomes a frame whose header, structured data and MSG round-trip exactly', () => {
    fc.assert(
      fc.property(auditEventArbitrary, fc.nat({ max: 2 ** 40 }), origin, (event, index, logOrigin) => {
        const record = eventRecord(logOrigin, index, event, canonicalJsonBytes(event));
        const frame = frameOctetCounting(formatSyslog5424(record, { hostname: 'gw1.example', procId: '4242' }));
        const { frames, rest } = splitOctetCounted(frame);
        expect(rest.length).toBe(0);
        expect(frames).toHaveLength(1);
        const parsed = parseSyslog5424(frames[0] ?? '');
        expect(parsed).toBeDefined();
        if (parsed === undefined) return;
        expect(parsed.facility).toBe(10); // authpriv
        expect(parsed.severity).toBe(syslogSeverity(event));
        expect(parsed.version).toBe(1);
        expect(parsed.timestamp).toBe(event.time);
        expect([parsed.hostname, parsed.appName, parsed.procId]).toEqual(['gw1.example', 'phiguard', '4242']);
        expect(parsed.msgId).toBe(event.action.slice(0, 32));
        // Exactly these parameters, each a value of the record: the formatter adds nothing else.
        const expected: Record<string, string> = {
          kind: 'event',
          idx: String(index),
          key: `${logOrigin}/${String(index)}`,
          outcome: event.outcome,
        };
        if (event.purpose !== undefined) expected.purpose = event.purpose;
        expected.lh = leafHashHex(canonicalJsonBytes(event));
        expect(parsed.structuredData).toEqual({ 'phiguard@32473': expected });
        expect(parsed.bom).toBe(true);
        expect(JSON.parse(parsed.msg)).toEqual(event);
        expect(Buffer.from(parsed.msg, 'utf8').equals(canonicalJsonBytes(event))).toBe(true);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
  });

  it('escapes " \\ and ] in PARAM-VALUE (§6.3.3) so any string round-trips', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.oneof(
            fc.constantFrom('"', '\\', ']', '[', '=', ' ', 'é', '\u{1F600}'),
            fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
          ),
          maxLength: 40,
        }),
        (value) => {
          const parsed = parseSyslog5424(`<86>1 - - - - - [x@32473 p="${escapeSdValue(value)}"] m`);
          expect(parsed?.structuredData['x@32473']?.p).toBe(value);
          expect(parsed?.msg).toBe('m');
        },
      ),
      { numRuns: 200 },
    );
    expect(escapeSdValue('a"b\\c]d')).toBe('a\\"b\\\\c\\]d');
  });

  it('formats a known event byte for byte', () => {
    const event = sampleEvent(2); // auth.login, denied
    const record = eventRecord('log.example/a', 2, event, canonicalJsonBytes(event));
    const line = formatSyslog5424(record, { hostname: 'h', procId: '7', facility: 16 });
    expect(line).toBe(
      `<132>1 ${event.time} h phiguard 7 auth.login [phiguard@32473 kind="event" idx="2" key="log.example/a/2" outcome="denied" purpose="TREAT" lh="${record.leafHash}"] \uFEFF${canonicalJsonBytes(event).toString()}`,
    );
    // Octet counting counts bytes, not characters (the BOM is 3 bytes).
    expect(
      frameOctetCounting(line)
        .toString()
        .startsWith(`${String(Buffer.byteLength(line))} <132>1`),
    ).toBe(true);
  });

  it('truncates MSGID to 32 characters and maps every outcome to a severity', () => {
    const long = validateAuditEvent({
      actor: { kind: 'system', id: 'ledger' },
      action: 'abcdefghij.klmnopqrstuvwxyz.abcdefghij',
      outcome: 'error',
    });
    const event = { ...long, v: 1 as const, time: '2026-11-24T04:00:00.000Z' };
    const parsed = parseSyslog5424(formatSyslog5424(eventRecord('o', 0, event, canonicalJsonBytes(event))));
    expect(parsed?.msgId).toBe('abcdefghij.klmnopqrstuvwxyz.abcd');
    expect(parsed?.severity).toBe(3);
    expect([parsed?.hostname, parsed?.procId]).toEqual(['-', '-']);
    expect(SEVERITY_BY_OUTCOME).toEqual({ success: 6, failure: 5, denied: 4, error: 3 });
  });

  it('formats a checkpoint with its note in MSG and its key and size in structured data', () => {
    const note = 'log.example/a\n5\nq6Jm5nJ1dQ==\n\n— log.example/a abcd\n';
    const parsed = parseSyslog5424(formatSyslog5424(checkpointRecord(note, 5), { clock: new ManualClock(Date.UTC(2026, 0, 2)) }));
    expect(parsed?.msgId).toBe('checkpoint');
    expect(parsed?.timestamp).toBe('2026-01-02T00:00:00.000Z');
    expect(parsed?.structuredData).toEqual({ 'phiguard@32473': { kind: 'checkpoint', size: '5', key: 'log.example/a/checkpoint/5' } });
    expect(JSON.parse(parsed?.msg ?? '')).toEqual({ note, origin: 'log.example/a', size: 5 });
    expect(parsed?.msg).not.toContain('\n');
  });

  it('refuses header values that RFC 5424 forbids', () => {
    const event = sampleEvent(0);
    const record = eventRecord('o', 0, event, canonicalJsonBytes(event));
    expect(() => formatSyslog5424(record, { hostname: 'has space' })).toThrow(TypeError);
    expect(() => formatSyslog5424(record, { appName: 'x'.repeat(49) })).toThrow(TypeError);
    expect(() => formatSyslog5424(record, { sdId: 'a]b' })).toThrow(TypeError);
  });

  it('splits a stream of octet-counted frames across arbitrary chunk boundaries', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, unit: 'grapheme' }), { minLength: 1, maxLength: 8 }), fc.nat(), (messages, cut) => {
        const stream = Buffer.concat(messages.map(frameOctetCounting));
        const at = cut % (stream.length + 1);
        const first = splitOctetCounted(stream.subarray(0, at));
        const second = splitOctetCounted(Buffer.concat([first.rest, stream.subarray(at)]));
        expect([...first.frames, ...second.frames]).toEqual(messages);
        expect(second.rest.length).toBe(0);
      }),
    );
    expect(() => splitOctetCounted(Buffer.from('x12 abc'))).toThrow(TypeError);
  });
});

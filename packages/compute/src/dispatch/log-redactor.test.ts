import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactLog } from './log-redactor.ts';

const identifier = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ().@-]{1,19}[A-Za-z0-9]$/);

describe('redactLog', () => {
  it('no seeded identifier survives, whatever the surrounding text and case (property)', () => {
    fc.assert(fc.property(fc.array(identifier, { minLength: 1, maxLength: 5 }), fc.array(fc.string({ maxLength: 30 }), { maxLength: 6 }), fc.boolean(), (ids, noise, upper) => {
      const text = noise.map((n, i) => `${n}${upper ? (ids[i % ids.length] ?? '').toUpperCase() : (ids[i % ids.length] ?? '')}`).join(' ') + ids.join('|');
      const out = redactLog(text, ids);
      for (const id of ids) expect(out.text.toLowerCase()).not.toContain(id.trim().toLowerCase());
      expect(out.flagged).toBeGreaterThanOrEqual(ids.length > 0 ? 1 : 0);
    }));
  });

  it('counts hits, keeps other text, ignores identifiers under 3 characters', () => {
    expect(redactLog('MRN00482913 seen; mrn00482913 again; ok', ['MRN00482913', 'ok'])).toEqual({ text: `${REDACTED} seen; ${REDACTED} again; ok`, flagged: 2 });
    expect(redactLog('nothing here', [])).toEqual({ text: 'nothing here', flagged: 0 });
  });

  it('treats identifiers as text, not patterns', () => {
    expect(redactLog('call (555) 867-5309 or 5555', ['(555) 867-5309']).text).toBe(`call ${REDACTED} or 5555`);
    expect(redactLog('a.b.c and abc', ['a.b']).text).toBe(`${REDACTED}.c and abc`);
  });
});

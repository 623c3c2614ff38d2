// LoopbackCodes on its own: single use, 60 s life, binding to state + challenge + address, and the
// session a code opened is ended whenever nobody legitimate can end up holding it.
import { ManualClock } from '@phiguard/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOOPBACK_CODE_TTL_MS, LoopbackCodes } from './loopback-codes.ts';
import { s256Challenge } from './pkce.ts';

const REDIRECT = 'http://127.0.0.1:40000/callback';
const verifierArb = fc.stringMatching(/^[A-Za-z0-9._~-]{43,128}$/);
const stateArb = fc.stringMatching(/^[A-Za-z0-9_-]{22,40}$/);

function fixture(): { codes: LoopbackCodes; clock: ManualClock; ended: string[] } {
  const clock = new ManualClock(1_700_000_000_000);
  const ended: string[] = [];
  return { clock, ended, codes: new LoopbackCodes(clock, (id) => { ended.push(id); return Promise.resolve(); }) };
}

describe('LoopbackCodes', () => {
  it('redeems a code only with its own verifier and state, exactly once (property)', async () => {
    await fc.assert(fc.asyncProperty(verifierArb, verifierArb, stateArb, stateArb, fc.boolean(), async (verifier, otherVerifier, state, otherState, tryWrongFirst) => {
      const { codes, ended } = fixture();
      const code = await codes.issue({ token: 'ses_1.secret', id: 'ses_1' }, { state, codeChallenge: s256Challenge(verifier), redirectUri: REDIRECT });
      if (tryWrongFirst && (otherVerifier !== verifier || otherState !== state)) {
        await expect(codes.redeem(code, otherVerifier, { state: otherState, redirectUri: REDIRECT })).rejects.toMatchObject({ code: 'token-invalid' });
        expect(ended).toEqual(['ses_1']);
        await expect(codes.redeem(code, verifier, { state, redirectUri: REDIRECT })).rejects.toMatchObject({ code: 'token-invalid' });
        return;
      }
      expect(await codes.redeem(code, verifier, { state, redirectUri: REDIRECT })).toBe('ses_1.secret');
      expect(ended).toEqual([]);
      await expect(codes.redeem(code, verifier, { state, redirectUri: REDIRECT })).rejects.toThrow(/already used/);
      expect(ended).toEqual(['ses_1']);
    }), { numRuns: 60 });
  });

  it('expires codes after 60 s and ends the sessions nobody fetched', async () => {
    const { codes, clock, ended } = fixture();
    const verifier = 'v'.repeat(43);
    const code = await codes.issue({ token: 'ses_2.secret', id: 'ses_2' }, { state: 's'.repeat(22), codeChallenge: s256Challenge(verifier), redirectUri: REDIRECT });
    clock.advance(LOOPBACK_CODE_TTL_MS - 1);
    expect(codes.pendingCount).toBe(1);
    clock.advance(1);
    await expect(codes.redeem(code, verifier, { state: 's'.repeat(22), redirectUri: REDIRECT })).rejects.toThrow(/unknown or expired/);
    expect(ended).toEqual(['ses_2']);
    expect(codes.pendingCount).toBe(0);
  });

  it('refuses codes it never issued', async () => {
    const { codes } = fixture();
    await expect(codes.redeem('x'.repeat(43), 'v'.repeat(43), { state: 's'.repeat(22), redirectUri: REDIRECT })).rejects.toMatchObject({ code: 'token-invalid', place: { field: 'code' } });
  });
});

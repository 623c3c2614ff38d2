import { ManualClock } from '@phiguard/core';
import { describe, expect, it } from 'vitest';
import { TokenIssuer } from './token-issuer.ts';

const claims = { sub: 'usr_01hzzzzzzzzzzzzzzzzzzzzzza', kind: 'user' as const, source: 'ses_01hzzzzzzzzzzzzzzzzzzzzzzb', scopes: ['dataset.read'] };

describe('TokenIssuer (EdDSA JWT, RFC 8037 / RFC 9068)', () => {
  it('verifies its own tokens and publishes the key in the JWKS', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const issuer = await TokenIssuer.create(clock);
    const { token } = await issuer.issue(claims);
    await expect(issuer.verify(token)).resolves.toMatchObject({ sub: claims.sub, source: claims.source, scopes: ['dataset.read'] });
    expect(issuer.jwks().keys).toEqual([expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' })]);
    expect(JSON.stringify(issuer.jwks())).not.toContain('"d"');
  });

  it('refuses an expired token, a tampered one, and one signed by a rotated-out key', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const issuer = await TokenIssuer.create(clock, 60_000);
    const { token } = await issuer.issue(claims);
    const [h, p, s] = token.split('.');
    const forged = `${h ?? ''}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p ?? '', 'base64url').toString()), sub: 'usr_01hzzzzzzzzzzzzzzzzzzzzzzc' })).toString('base64url')}.${s ?? ''}`;
    await expect(issuer.verify(forged)).rejects.toMatchObject({ code: 'token-invalid' });
    await issuer.rotate();
    await expect(issuer.verify(token)).resolves.toBeDefined();
    await issuer.retireOld();
    await expect(issuer.verify(token)).rejects.toMatchObject({ code: 'token-invalid', message: 'access token signed by an unknown or retired key' });
    const fresh = await issuer.issue(claims);
    clock.advance(60_000);
    await expect(issuer.verify(fresh.token)).rejects.toMatchObject({ message: 'access token expired' });
  });

  it('refuses a token from another issuer instance (unknown key)', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const other = await TokenIssuer.create(clock);
    const mine = await TokenIssuer.create(clock);
    await expect(mine.verify((await other.issue(claims)).token)).rejects.toMatchObject({ code: 'token-invalid' });
  });
});

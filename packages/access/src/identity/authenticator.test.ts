import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessFixture, type AccessFixture } from './test-fixtures.ts';
import { totpCode } from './totp.ts';

const PASSWORD = 'violet-anchor-drizzle';
let f: AccessFixture;
beforeAll(async () => {
  f = await accessFixture();
});
afterAll(() => f.store.close());

async function enrolled(username: string): Promise<{ secret: string; recovery: readonly string[] }> {
  await f.auth.createUser({ username, password: PASSWORD, roles: ['annotator'] }, undefined);
  const challenge = await f.auth.login(username, PASSWORD);
  const secret = challenge.enrolment?.secret ?? '';
  const done = await f.auth.completeMfa(challenge.challengeId, { totp: totpCode(secret, f.clock.nowMs()) });
  f.clock.advance(30_000);
  return { secret, recovery: done.recoveryCodes ?? [] };
}

describe('Authenticator', () => {
  it('enrols TOTP at first login, then asks for it; recovery codes work once', async () => {
    const { secret, recovery } = await enrolled('alice');
    expect(recovery).toHaveLength(10);
    const again = await f.auth.login('alice', PASSWORD);
    expect(again.enrolment).toBeUndefined();
    const session = await f.auth.completeMfa(again.challengeId, { totp: totpCode(secret, f.clock.nowMs()) });
    expect(session.recoveryCodes).toBeUndefined();
    const code = recovery[0] ?? '';
    const third = await f.auth.login('alice', PASSWORD);
    await f.auth.completeMfa(third.challengeId, { recoveryCode: code.toUpperCase() });
    const fourth = await f.auth.login('alice', PASSWORD);
    await expect(f.auth.completeMfa(fourth.challengeId, { recoveryCode: code })).rejects.toMatchObject({ code: 'mfa-invalid' });
  });

  it('never accepts the same TOTP code twice within its window (RFC 6238 §5.2)', async () => {
    const { secret } = await enrolled('bob');
    const code = totpCode(secret, f.clock.nowMs());
    const first = await f.auth.login('bob', PASSWORD);
    await f.auth.completeMfa(first.challengeId, { totp: code });
    f.clock.advance(10_000);
    const second = await f.auth.login('bob', PASSWORD);
    await expect(f.auth.completeMfa(second.challengeId, { totp: code })).rejects.toMatchObject({ code: 'mfa-replayed' });
    expect(f.audit.events.some((e) => e.reason === 'totp-replay')).toBe(true);
  });

  it('locks the account after five failures, even with the right password then', async () => {
    await enrolled('carol');
    for (let i = 0; i < 5; i++) await expect(f.auth.login('carol', `wrong-password-${String(i)}`)).rejects.toMatchObject({ code: 'invalid-credentials' });
    await expect(f.auth.login('carol', PASSWORD)).rejects.toMatchObject({ code: 'account-locked' });
    expect(f.audit.withAction('auth.lockout')).toHaveLength(1);
    f.clock.advance(15 * 60_000);
    await expect(f.auth.login('carol', PASSWORD)).resolves.toMatchObject({ enrolment: undefined });
  });

  it('answers unknown users like wrong passwords', async () => {
    await expect(f.auth.login('nobody-here', PASSWORD)).rejects.toMatchObject({ code: 'invalid-credentials', message: 'username or password is wrong' });
  });

  it('logs off after 15 minutes of inactivity (HIPAA §164.312(a)(2)(iii)) and after logout', async () => {
    const { secret } = await enrolled('dave');
    const challenge = await f.auth.login('dave', PASSWORD);
    const { token, session } = await f.auth.completeMfa(challenge.challengeId, { totp: totpCode(secret, f.clock.nowMs()) });
    f.clock.advance(14 * 60_000);
    await expect(f.auth.resumeSession(token)).resolves.toMatchObject({ user: { username: 'dave' } });
    f.clock.advance(14 * 60_000);
    await expect(f.auth.resumeSession(token)).resolves.toBeDefined();
    f.clock.advance(15 * 60_000);
    await expect(f.auth.resumeSession(token)).rejects.toMatchObject({ code: 'session-expired' });
    await expect(f.auth.resumeSession(`${session.id}.forged`)).rejects.toMatchObject({ code: 'session-expired' });
    expect(f.audit.events.some((e) => e.reason === 'idle-timeout')).toBe(true);
  });

  it('refuses weak passwords at creation and never writes the username to the ledger', async () => {
    await expect(f.auth.createUser({ username: 'erin', password: 'erin-password-1', roles: [] }, undefined)).rejects.toMatchObject({ code: 'weak-password' });
    expect(JSON.stringify(f.audit.events)).not.toMatch(/alice|bob|carol|dave|erin|violet/);
  });
});

import { readFileSync } from 'node:fs';

/** Why a new password is refused; `ok` when it passes. */
export type PasswordVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: 'too-short' | 'too-long' | 'common' | 'contains-username' };

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

/** The shipped list (packages/access/data/common-passwords.txt), read once per policy. */
export function loadCommonPasswords(): ReadonlySet<string> {
  const text = readFileSync(new URL('../../data/common-passwords.txt', import.meta.url), 'utf8');
  return new Set(text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')));
}

/** The word with leading and trailing digits and symbols removed. */
function letterCore(word: string): string {
  return word.replace(/^[^a-z]+|[^a-z]+$/g, '');
}

/**
 * NIST SP 800-63B §5.1.1.2 memorized-secret rules: at least 12 characters (our floor; NIST says 8),
 * no composition rules, refuse commonly used values and values containing the username.
 */
export class PasswordPolicy {
  readonly #common: ReadonlySet<string>;

  constructor(common: ReadonlySet<string> = loadCommonPasswords()) {
    this.#common = new Set([...common].flatMap((w) => [w, letterCore(w)]).filter((w) => w !== ''));
  }

  check(password: string, username: string): PasswordVerdict {
    // NIST counts characters (code points), not UTF-16 units.
    const length = Array.from(password).length;
    if (length < MIN_PASSWORD_LENGTH) return { ok: false, reason: 'too-short' };
    if (length > MAX_PASSWORD_LENGTH) return { ok: false, reason: 'too-long' };
    const lower = password.normalize('NFKC').toLowerCase();
    const core = letterCore(lower);
    // Only digits and symbols (dates, phone numbers, keyboard runs) count as common too.
    if (core === '' || this.#common.has(lower) || this.#common.has(core) || this.#common.has(core.replace(/^(.+?)\1+$/, '$1'))) return { ok: false, reason: 'common' };
    const name = username.normalize('NFKC').toLowerCase();
    if (name.length >= 3 && lower.includes(name)) return { ok: false, reason: 'contains-username' };
    return { ok: true };
  }
}

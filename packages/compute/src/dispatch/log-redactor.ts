/** What replaces a seeded identifier found in a job's log (`[██]`). */
export const REDACTED = '[\u2588\u2588]'; // no letters or digits, so it can never contain an identifier

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Scans a job's log text for known identifiers (the job's seeded PHI list: names, MRNs, dates the
 * operator or the patient context supplied) and replaces each occurrence, case-insensitively, with
 * {@link REDACTED}. Identifiers shorter than 3 characters are ignored (they would redact noise).
 * Repeats until nothing matches, so a replacement can never leave a new occurrence behind.
 */
export function redactLog(text: string, identifiers: readonly string[]): { readonly text: string; readonly flagged: number } {
  const usable = [...new Set(identifiers.map((i) => i.trim()).filter((i) => i.length >= 3))].sort((a, b) => b.length - a.length);
  if (usable.length === 0) return { text, flagged: 0 };
  const pattern = new RegExp(usable.map(escape).join('|'), 'giu');
  let out = text;
  let flagged = 0;
  for (let round = 0; round < 8; round++) {
    let hits = 0;
    out = out.replace(pattern, () => {
      hits += 1;
      return REDACTED;
    });
    flagged += hits;
    if (hits === 0) break;
  }
  return { text: out, flagged };
}

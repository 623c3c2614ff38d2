// `context.mfaAgeSeconds` changes every second; a decision can only depend on it through the
// comparisons the policies make. When every use is `context.mfaAgeSeconds <op> <integer>` (or the
// mirror image), the side of each such integer an age falls on decides every comparison, and
// ages with the same sides get the same decision (Cedar §"Operators": <, <=, >, >=, ==, != on Long).

const OP = '(?:<=|>=|==|!=|<|>)';
// A literal that is part of arithmetic (`<= 300 + x`) does not match, so its use goes uncounted.
const LEFT = new RegExp(`context\\.mfaAgeSeconds\\s*${OP}\\s*(-?\\d+)(?![\\w.])(?!\\s*[+\\-*])`, 'g');
const RIGHT = new RegExp(`(?<![+\\-*]\\s*)(?<![\\w.])(-?\\d+)\\s*${OP}\\s*context\\.mfaAgeSeconds`, 'g');

/**
 * The integers the policies compare `context.mfaAgeSeconds` with, sorted; undefined when some use
 * is anything else (arithmetic, a method, parentheses), in which case callers must use the exact age.
 */
export function mfaAgeThresholds(policies: readonly string[]): readonly number[] | undefined {
  const thresholds = new Set<number>();
  for (const text of policies) {
    const uses = text.split('mfaAgeSeconds').length - 1;
    let matched = 0;
    for (const m of [...text.matchAll(LEFT), ...text.matchAll(RIGHT)]) {
      thresholds.add(Number(m[1]));
      matched++;
    }
    if (matched !== uses) return undefined;
  }
  return Object.freeze([...thresholds].sort((a, b) => a - b));
}

/** For each threshold, whether `age` is below, equal or above it: all a comparison can see. */
export function mfaAgeSignature(age: number, thresholds: readonly number[]): string {
  let out = '';
  for (const t of thresholds) out += age < t ? 'l' : age === t ? 'e' : 'g';
  return out;
}

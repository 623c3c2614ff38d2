/**
 * Levenshtein distance between `a` and `b` if it is at most `max`, else `max + 1` (early exit).
 * Used for fuzzy matching of known names (misspellings in notes).
 */
export function boundedEditDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = new Array<number>(b.length + 1);
  let curr = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    curr[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const v = Math.min((prev[j] ?? 0) + 1, (curr[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      curr[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev, curr] = [curr, prev];
  }
  return Math.min(prev[b.length] ?? max + 1, max + 1);
}

/** The edit distance tolerated for a name of this length: none under 5, 1 under 9, else 2. */
export function toleratedDistance(length: number): number {
  return length < 5 ? 0 : length < 9 ? 1 : 2;
}

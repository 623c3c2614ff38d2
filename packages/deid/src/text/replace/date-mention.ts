/**
 * Parses a date as written in a note (`3/4/21`, `March 4th, 2021`, `4-Mar-2021`, `2021-03-04`,
 * `Mar 2021`, `the 4th`) into its parts plus a renderer that writes other parts in exactly the
 * same form (separators, zero padding, month spelling and case, ordinal suffix, year width).
 * Used to shift dates by the patient's offset and to generate the written forms of a known date.
 */
export interface DateMention {
  readonly year: number | undefined;
  readonly month: number | undefined;
  readonly day: number | undefined;
  render(year: number, month: number, day: number): string;
}

export const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'] as const;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(.*)$/s;
const YMD = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/;
const NUMERIC = /^(\d{1,2})([/.-])(\d{1,2})(?:\2(\d{2}|\d{4}))?$/;
const MONTH_FIRST = /^([A-Za-z]+)(\.?)(\s+)(\d{1,2})(st|nd|rd|th)?(?:(,?\s+)(\d{4}|'\d{2}))?$/;
const DAY_FIRST = /^(\d{1,2})(st|nd|rd|th)?(\s+of\s+|\s+|-)([A-Za-z]+)(\.?)(?:(,?[\s-]+)(\d{4}|'\d{2}|\d{2}))?$/;
const MONTH_YEAR = /^([A-Za-z]+)(\.?)(,?\s+(?:of\s+)?)(\d{4}|'\d{2})$/;
const ORDINAL = /^(\d{1,2})(st|nd|rd|th)$/;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function ordinal(n: number): string {
  const t = n % 100;
  if (t >= 11 && t <= 13) return 'th';
  return n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
}

function monthIndex(word: string): number | undefined {
  const w = word.toLowerCase();
  if (w.length < 3) return undefined;
  const i = MONTHS.findIndex((m) => m.startsWith(w) || (w === 'sept' && m === 'september'));
  return i < 0 ? undefined : i + 1;
}

/** Writes month `m` spelled like `sample` (full or 3-4 letters; upper, title or lower case). */
function spellMonth(m: number, sample: string): string {
  const full = MONTHS[m - 1] ?? 'january';
  const word = (MONTHS as readonly string[]).includes(sample.toLowerCase()) ? full : full.slice(0, 3);
  if (sample === sample.toUpperCase()) return word.toUpperCase();
  if (sample.startsWith(sample.charAt(0).toUpperCase())) return word.charAt(0).toUpperCase() + word.slice(1);
  return word;
}

function year2(y: string): number {
  const n = Number(y.replace("'", ''));
  return y.length >= 4 ? n : n < 50 ? 2000 + n : 1900 + n;
}

function renderYear(y: number, sample: string): string {
  if (sample.startsWith("'")) return `'${pad(y % 100, 2)}`;
  return sample.length === 2 ? pad(y % 100, 2) : String(y);
}

function ordinalDay(d: number, suffix: string | undefined, sample: string): string {
  return `${sample.length === 2 && d < 10 ? pad(d, 2) : String(d)}${suffix === undefined ? '' : ordinal(d)}`;
}

/** Parses `text` (a whole date span); undefined when it is not one of the supported forms. */
export function parseDateMention(text: string): DateMention | undefined {
  let m = ISO.exec(text);
  if (m !== null) {
    const rest = m[4] ?? '';
    return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), render: (y, mo, d) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}${rest}` };
  }
  m = YMD.exec(text);
  if (m !== null) {
    const [, , ms = '', ds = ''] = m;
    return { year: Number(m[1]), month: Number(ms), day: Number(ds), render: (y, mo, d) => `${y}/${pad(mo, ms.length)}/${pad(d, ds.length)}` };
  }
  m = NUMERIC.exec(text);
  if (m !== null) {
    const [, a = '', sep = '/', b = '', ys] = m;
    const dayFirst = Number(a) > 12 || sep === '.';
    const [ms, ds] = dayFirst ? [b, a] : [a, b];
    const month = Number(ms);
    if (month < 1 || month > 12) return undefined;
    const fmt = (mo: number, d: number): [string, string] => [pad(mo, ms.length), pad(d, ds.length)];
    return {
      year: ys === undefined ? undefined : year2(ys),
      month,
      day: Number(ds),
      render: (y, mo, d) => {
        const [mm, dd] = fmt(mo, d);
        const head = dayFirst ? `${dd}${sep}${mm}` : `${mm}${sep}${dd}`;
        return ys === undefined ? head : `${head}${sep}${renderYear(y, ys)}`;
      },
    };
  }
  m = MONTH_FIRST.exec(text);
  if (m !== null) {
    const [, mw = '', dot = '', sp = ' ', ds = '', suf, ysep = '', ys] = m;
    const month = monthIndex(mw);
    if (month === undefined) return undefined;
    return {
      year: ys === undefined ? undefined : year2(ys),
      month,
      day: Number(ds),
      render: (y, mo, d) => `${spellMonth(mo, mw)}${dot}${sp}${ordinalDay(d, suf, ds)}${ys === undefined ? '' : `${ysep}${renderYear(y, ys)}`}`,
    };
  }
  m = DAY_FIRST.exec(text);
  if (m !== null) {
    const [, ds = '', suf, sep = ' ', mw = '', dot = '', ysep = '', ys] = m;
    const month = monthIndex(mw);
    if (month === undefined) return undefined;
    return {
      year: ys === undefined ? undefined : year2(ys),
      month,
      day: Number(ds),
      render: (y, mo, d) => `${ordinalDay(d, suf, ds)}${sep}${spellMonth(mo, mw)}${dot}${ys === undefined ? '' : `${ysep}${renderYear(y, ys)}`}`,
    };
  }
  m = MONTH_YEAR.exec(text);
  if (m !== null) {
    const [, mw = '', dot = '', sep = ' ', ys = ''] = m;
    const month = monthIndex(mw);
    if (month === undefined) return undefined;
    return { year: year2(ys), month, day: undefined, render: (y, mo) => `${spellMonth(mo, mw)}${dot}${sep}${renderYear(y, ys)}` };
  }
  m = ORDINAL.exec(text);
  if (m !== null) {
    const ds = m[1] ?? '';
    return { year: undefined, month: undefined, day: Number(ds), render: (_y, _mo, d) => `${d}${ordinal(d)}` };
  }
  return undefined;
}

/** The common written forms of a calendar date (for matching a known birth date in notes). */
export function writtenForms(year: number, month: number, day: number): string[] {
  const full = MONTHS[month - 1] ?? '';
  const title = full.charAt(0).toUpperCase() + full.slice(1);
  const abbr = title.slice(0, 3);
  const yy = pad(year % 100, 2);
  const forms = [
    `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`,
    `${month}/${day}/${year}`,
    `${pad(month, 2)}/${pad(day, 2)}/${year}`,
    `${month}/${day}/${yy}`,
    `${pad(month, 2)}/${pad(day, 2)}/${yy}`,
    `${month}-${day}-${year}`,
    `${pad(month, 2)}-${pad(day, 2)}-${year}`,
    `${year}/${pad(month, 2)}/${pad(day, 2)}`,
    `${pad(day, 2)}.${pad(month, 2)}.${year}`,
  ];
  for (const mw of [title, abbr, `${abbr}.`]) {
    forms.push(`${mw} ${day}, ${year}`, `${mw} ${day} ${year}`, `${mw} ${day}${ordinal(day)}, ${year}`, `${day} ${mw} ${year}`, `${day}-${mw}-${year}`);
  }
  forms.push(`${day}-${abbr}-${yy}`);
  return forms;
}

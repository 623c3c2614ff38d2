import { SPAN_STRENGTH, type DetectedSpan, type SpanDetector } from '../detected-span.ts';
import { normalizeToken, type Dictionaries } from '../dictionaries.ts';
import { findPatternNames } from './name-patterns.ts';

/** A capitalized word of the text (only these can start names, places in English notes). */
interface CapToken {
  readonly start: number;
  readonly end: number;
  readonly norm: string;
  readonly initial: boolean;
  readonly allCaps: boolean;
  /** `Bob965`: Synthea-style generated names (letters then a number). */
  readonly synthetic: boolean;
  readonly ascii: boolean;
}

type Mark = '' | 'first' | 'surname' | 'title' | 'label' | 'synthetic' | 'foreign' | 'proper' | 'chain' | 'initial' | 'city';

const CAP_TOKEN = /(?<![\p{L}\d])\p{Lu}[\p{L}'’-]*\d{0,4}(?![\p{L}\d])/gu;
/** Capitalized words that are drug names by their stem (`Lipitor` is on the allow-list; these are not). */
const DRUG_SUFFIX = /(?:mab|nib|pril|olol|statin|azole|cillin|mycin|cycline|vir|tide|pine|zepam|zolam|oxacin|sartan|dronate|parin|semide|thiazide|triptan|setron|prazole|gliptin|gliflozin|glitazone|profen|oxetine|afil|caine|cort|sone|olone|tidine|lukast|dipine|terol|tropium|mide|xaban|gatran|grel)$/;
/** Disease, procedure and anatomy word endings: such a capitalized word is a term, not a name. */
const CLINICAL_SUFFIX = /(?:itis|emia|aemia|osis|oma|omas|pathy|ectomy|otomy|ostomy|plasty|scopy|graphy|algia|uria|plasia|trophy|penia|cytosis|iasis|ism|ase|ine|ol|ide|ate|al|ic|ous|ary|ics)$/;
/** `Tomomi is ...`, `Vinka: ...`: a sentence-initial unknown word acting as the subject, or a speaker. */
const SUBJECT_NEXT = /^(?:['’]s)?[ \t]+(?:is|was|has|had|lives|lived|spent|said|says|shouted|called|works|worked|went|came|told|asked|will|would|and|gave|wrote|visited|moved|left|met|began|begins|joined|founded|speaks|spoke|became)\b|^:|^,[ \t]+(?:(?:can|could|would|may)[ \t]+(?:I|you|we)|please|thank)\b/;
/** `Keppra was restarted`, `Troponin is negative`: a drug or a test, not a person. */
const CLINICAL_PREDICATE =
  /^[ \t]+(?:is|was|has been|will be)[ \t]+(?:(?:then|also|now|being)[ \t]+)?(?:started|stopped|held|increased|decreased|discontinued|continued|restarted|resumed|given|administered|titrated|changed|prescribed|initiated|added|tapered|negative|positive|normal|abnormal|elevated|low|high|noted|unremarkable|pending|ordered|sent|drawn|obtained|performed|done|recommended|indicated|contraindicated|effective|tolerated|approved)\b/;
/** `Kevin Veitonen II`, `Giovanna Rodrigues MD`: a generational suffix or a degree right after a name (no comma) belongs to it. */
const NAME_SUFFIX = /^[ \t]+(?:Jr\.?|Sr\.?|II|III|MD|DDS|DMD|PhD|RN|NP|DPM|PharmD)(?![\p{L}\d])/u;
const SPEAKER = /^[ \t]?:/;
const PLACE_PREPOSITION = /\b(?:in|from|at|to|near|of)\s+$/i;
const LOWER_WORDS = /^\p{Ll}[\p{L}'’-]*(?:[ \t]+\p{Ll}[\p{L}'’-]*)?/u;
/** `Usamov and Bowers`, `Monjeau, Graves`: names listed together. */
const CONJUNCTION = /^(?:,?[ \t]+(?:and|&)[ \t]+|,[ \t]+)$/;
const PARTICLES_BEFORE = /(?<![\p{L}])((?:(?:de|la|del|della|van|von|der|den|di|da|le|du|dos|das|ten|ter|bin|ibn|al|el)[ \t]+)+)$/u;
const TITLE_BEFORE = /\b(?:Dr|Mr|Mrs|Ms|Miss|Prof|Doctor)\.?[ \t]+$/;
const LOWER_NAME = /\p{Ll}[\p{Ll}'’-]{2,}(?![\p{L}\d])/gu;
const LETTER = /[\p{L}\d]/u;
const SURNAME_AFTER = /^([ \t]+(?:\p{Ll}\.?[ \t]+)?)(\p{Ll}[\p{Ll}'’-]{2,})(?![\p{L}\d])/u;
/** Lower-case words that are given names but, in notes, a drug brand or a clinical scale. */
const LOWER_CASE_STOP: ReadonlySet<string> = new Set(['camila', 'morse', 'errin', 'jolivette', 'heather', 'lyza', 'nora', 'tilia', 'aubra', 'kelnor', 'kurvelo', 'lutera', 'sprintec']);
const CONTRACTION = /['’](?:m|re|d|ll|ve|t)$/;
const SYNTHETIC = /^\p{Lu}\p{Ll}+\d{1,4}$/u;
const TRAILING = /(?:['’]s|['’-])$/;
const DIGITS = /\d+$/;
const NON_ASCII = /[^\x00-\x7f]/;
const LATIN_WORD = /^[\p{Script=Latin}'’-]+$/u;
/** More lower-case words with non-English letters than this in one text: it is not English. */
const FOREIGN_WORDS_MAX = 3;
/** English loan words written with their accents (folded: `café` → `cafe`), not in the English list. */
const LOAN_WORDS: ReadonlySet<string> = new Set('cafe cafes naive naivete resume resumes fiance fiancee protege deja creme brulee facade jalapeno pinata senor senora uber entree decor cliche souffle rose saute puree frappe elite tete doppelganger smorgasbord chateau melange pate communique expose soiree'.split(' '));
/** Honorifics and roles written before a person's name. */
const TITLES: ReadonlySet<string> = new Set(['dr', 'mr', 'mrs', 'ms', 'miss', 'mx', 'prof', 'professor', 'doctor', 'dra', 'rev', 'sr', 'sra', 'mister', 'madam']);
/** Words after an eponym that make it a disease, sign or procedure, not a person. */
const EPONYM_NEXT: ReadonlySet<string> = new Set(
  'disease syndrome sign signs palsy sarcoma lymphoma test maneuver manoeuvre reflex criteria score scale classification procedure operation fracture tumor tumour triad phenomenon law node nodes ulcer cell cells body bodies disorder disorders angina anomaly aneurysm catheter tube repair protocol method technique formula equation effect hypothesis point points position bag mask'.split(
    ' ',
  ),
);
/** Labels after which the next capitalized words on the line are a person's name. */
const NAME_LABEL =
  /\b(?:(?:electronically\s+)?signed(?:\s+by)?|dictated\s+by|transcribed\s+by|reviewed\s+by|seen\s+by|attending(?:\s+physician)?|provider|physician|author|resident|surgeon|pcp|(?:referring|ordering|requesting|consulting)(?:\s+(?:physician|provider|clinician|md))?|cc|patient(?:\s+name)?|name|emergency\s+contact|contact|spouse|wife|husband|(?:step-?|great-)?(?:mother|father|daughter|son|sister|brother|grand(?:mother|father|daughter|son|child|ma|pa))(?:-in-law)?|(?:half-)?(?:sister|brother)|aunt|uncle|cousin|niece|nephew|(?:boy|girl)friend|friend|partner|fianc[eé]e?|neighbou?r|roommate|caregiver|landlord|landlady|co-?worker|employer|interpreter|guardian|(?:my\s+|(?:last|first|maiden|full)\s+)?name(?:\s+is)?|call(?:s|ed)?\s+me)\b\s*[:?(-]?[ \t]*["“]?|\b(?:dr|mrs?|ms|prof)\.[ \t]*/gi;
/**
 * Weaker labels (speech and naming verbs): only a capitalized word after them is a name, and not
 * one with a drug or clinical ending or before an eponym word (`known as Lou Gehrig's disease`).
 */
const POINTS_OUT = /^(?:['’]s)?[ \t]+points?[ \t]+out\b/;
const SURNAME_END = /^(?:['’]s)?(?:[.,;:!?)]|\s*$|[ \t]+\p{Ll})/u;
const INSTITUTION_WORD = /^(?:hospital|clinic|center|centre|street|road|avenue|university|college|school|medical|health|church|park|hall|house|county|city|lake|river|bay|island|valley|heights|hills?|springs?|beach|village|town)$/;
const SPEECH_NAME_END = /^(?:['’]s)?(?:[.,;:!?"”)]|[ \t]+\p{Lu}|\s*$)/u;
const SPEECH_WORDS: readonly string[] = ['says', 'said', 'called', 'named', 'known as', 'commenter', "I'm", 'I’m', 'I am'];
const NO_STARTS: ReadonlySet<number> = new Set();
const SPEECH_LABEL = /\b(?:says|said|(?:is|was)\s+(?:called|named)|named|known\s+as|commenter|I['’]m|I\s+am)[ \t]+/g;

/**
 * Finds person names and place names from word lists and context: titles (`Dr. Reyes`),
 * labels (`Signed by: ...`), initials, `Last, First`, possessives, all-caps headers, chains of
 * capitalized words next to a known name, and US places. Eponyms before a disease word and
 * clinical words on the allow-list are not names on a dictionary hit alone.
 */
export class NameDetector implements SpanDetector {
  readonly id = 'dictionary';
  readonly #dict: Dictionaries;

  constructor(dictionaries: Dictionaries) {
    this.#dict = dictionaries;
  }

  detect(text: string, out: DetectedSpan[]): void {
    const labelStarts = this.#labelStarts(text, NAME_LABEL);
    this.#lowerCaseAfterLabel(text, labelStarts, out);
    const speechStarts = SPEECH_WORDS.some((w) => text.includes(w)) ? this.#labelStarts(text, SPEECH_LABEL) : NO_STARTS;
    this.#lowerCaseNames(text, out);
    findPatternNames(text, this.#dict, EPONYM_NEXT, out);
    const tokens = this.#tokens(text);
    const n = tokens.length;
    if (n === 0) return;
    const marks: Mark[] = new Array<Mark>(n).fill('');
    const d = this.#dict;
    for (let i = 0; i < n; i++) {
      const t = tok(tokens, i);
      if (t.synthetic) {
        marks[i] = 'synthetic';
        continue;
      }
      const prev = i > 0 ? tok(tokens, i - 1) : undefined;
      if (prev !== undefined && TITLES.has(prev.norm) && gap(text, prev.end, t.start) !== 'none') {
        marks[i] = 'title';
        continue;
      }
      const listed = d.firstNames.has(t.norm) || d.surnames.has(t.norm);
      // `says Okonjo.`, `said John`: an unlisted word must end the clause or start a capitalized run (`said Keppra helps` is a drug).
      const speech = speechStarts.has(t.start) && !DRUG_SUFFIX.test(t.norm) && !CLINICAL_SUFFIX.test(t.norm) && (listed || SPEECH_NAME_END.test(text.slice(t.end, t.end + 4)));
      if ((labelStarts.has(t.start) || speech) && !TITLES.has(t.norm) && !this.#allowed(t.norm) && (listed || !d.english.has(t.norm))) {
        marks[i] = 'label';
        continue;
      }
      if (t.initial || this.#allowed(t.norm)) continue;
      if (t.allCaps && t.norm.length < 4) continue;
      const english = this.#wordLike(t.norm);
      const atStart = sentenceStart(text, t.start);
      // An ordinary word that is also a name (`Will`, `Brown`) counts when capitalized
      // mid-sentence, but not inside a Title Case phrase (`Big Three`, `White Stripes`).
      const common = english && (t.allCaps || atStart || this.#titleCase(text, tokens, i));
      // `John: ...`: a listed name that is also a word, starting a line as the speaker.
      const subject = common && atStart && !t.allCaps && listed && SPEAKER.test(text.slice(t.end, t.end + 3));
      // Two-letter list entries (`Na`, `Al`) are too ambiguous alone; context or a neighbour decides.
      if ((!common || subject) && t.norm.length >= 3) {
        if (d.firstNames.has(t.norm)) marks[i] = 'first';
        else if (d.surnames.has(t.norm)) marks[i] = 'surname';
        else if (d.cities.has(t.norm)) {
          if (!english || PLACE_PREPOSITION.test(text.slice(Math.max(0, t.start - 6), t.start))) marks[i] = 'city';
        } else if (!t.ascii && !t.allCaps) marks[i] = 'foreign';
        else if (!english && !t.allCaps && t.norm.length >= 3 && !DRUG_SUFFIX.test(t.norm) && !CLINICAL_SUFFIX.test(t.norm) && (!atStart || this.#actsLikeSubject(text, t))) marks[i] = 'proper';
      }
    }
    this.#multiWordCities(text, tokens, marks);
    for (let pass = 0; pass < 2; pass++) this.#chain(text, tokens, marks);
    this.#dropEponyms(text, tokens, marks);
    for (let i = 0; i < n; i++) {
      const mark = marks[i] ?? '';
      if (mark === '') continue;
      const t = tok(tokens, i);
      const end = t.initial && text.charCodeAt(t.end) === 46 ? t.end + 1 : t.end;
      const strength = mark === 'title' || mark === 'label' ? SPAN_STRENGTH.context : SPAN_STRENGTH.dictionary;
      // `Dr. de la Cruz`, `van der Berg`: lower-case particles after a title or a name belong to the name.
      let start = t.start;
      if (mark !== 'city') {
        const p = PARTICLES_BEFORE.exec(text.slice(Math.max(0, t.start - 40), t.start));
        if (p?.[1] !== undefined && (TITLE_BEFORE.test(text.slice(Math.max(0, t.start - p[1].length - 8), t.start - p[1].length)) || (i > 0 && marks[i - 1] !== '' && marks[i - 1] !== 'city' && tok(tokens, i - 1).end === t.start - p[1].length - 1))) start = t.start - p[1].length;
      }
      const suffix = mark === 'city' ? null : NAME_SUFFIX.exec(text.slice(end, end + 8));
      out.push({ start, end: end + (suffix?.[0].length ?? 0), category: mark === 'city' ? 'geographic' : 'name', detector: `dictionary.${mark}`, strength });
    }
  }

  /** An unknown capitalized word at a sentence start followed by a verb of a person, or a speaker `Name:`. */
  #actsLikeSubject(text: string, t: CapToken): boolean {
    const after = text.slice(t.end, t.end + 48);
    return SUBJECT_NEXT.test(after) && !CLINICAL_PREDICATE.test(after);
  }

  /** The token sits in a run of capitalized ordinary words (a title, a heading, a song). */
  #titleCase(text: string, tokens: readonly CapToken[], i: number): boolean {
    const d = this.#dict;
    const plain = (t: CapToken): boolean => d.english.has(t.norm) && !d.firstNames.has(t.norm) && !d.surnames.has(t.norm);
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    const t = tok(tokens, i);
    return (prev !== undefined && gap(text, prev.end, t.start) === 'space' && plain(prev)) || (next !== undefined && gap(text, t.end, next.start) === 'space' && plain(next));
  }

  /** An English word, or a compound of English words and letters (`X-ray`, `follow-up`). */
  #wordLike(norm: string): boolean {
    const d = this.#dict;
    if (d.english.has(norm)) return true;
    if (!norm.includes('-')) return false;
    return norm.split('-').every((p) => p.length <= 1 || d.english.has(p) || d.clinicalAllow.has(p));
  }

  #allowed(norm: string): boolean {
    if (this.#dict.clinicalAllow.has(norm)) return true;
    if (!norm.includes('-')) return false;
    return norm.split('-').some((p) => this.#dict.clinicalAllow.has(p));
  }

  #tokens(text: string): CapToken[] {
    const tokens: CapToken[] = [];
    const re = CAP_TOKEN;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      let raw = m[0];
      const start = m.index;
      if (CONTRACTION.test(raw)) continue;
      const synthetic = SYNTHETIC.test(raw);
      if (synthetic) raw = raw.replace(DIGITS, '');
      else if (TRAILING.test(raw)) raw = raw.replace(TRAILING, '');
      if (raw.length === 0) continue;
      const norm = normalizeToken(raw);
      const allCaps = raw.length > 1 && raw.replace(/s$/, '') === raw.replace(/s$/, '').toUpperCase();
      tokens.push({
        start,
        end: synthetic ? start + m[0].length : start + raw.length,
        norm,
        initial: raw.length === 1,
        allCaps,
        synthetic,
        ascii: !NON_ASCII.test(raw),
      });
    }
    return tokens;
  }

  /**
   * `follow up with patricia desrosiers`: a lower-case given name that is no English word, with
   * an optional initial and the following non-English word as its surname.
   */
  #lowerCaseNames(text: string, out: DetectedSpan[]): void {
    const d = this.#dict;
    const re = LOWER_NAME;
    re.lastIndex = 0;
    const found: DetectedSpan[] = [];
    let foreignWords = 0;
    const anyNonAscii = NON_ASCII.test(text);
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m.index > 0 && LETTER.test(text.charAt(m.index - 1))) continue;
      const norm = normalizeToken(m[0]);
      // `višeslav`, `bártová`: a lower-case Latin word with letters English does not use is a foreign name or place.
      const foreign = anyNonAscii && NON_ASCII.test(m[0]) && LATIN_WORD.test(m[0]) && !LOAN_WORDS.has(norm);
      if (foreign && !d.english.has(norm)) foreignWords++;
      if ((!foreign && !d.firstNames.has(norm)) || d.english.has(norm) || this.#allowed(norm) || LOWER_CASE_STOP.has(norm)) continue;
      let end = m.index + m[0].length;
      const next = SURNAME_AFTER.exec(text.slice(end, end + 40));
      if (next?.[2] !== undefined) {
        const surname = normalizeToken(next[2]);
        if (!this.#wordLike(surname) && !this.#allowed(surname) && !DRUG_SUFFIX.test(surname)) end += next[0].length;
      }
      found.push({ start: m.index, end, category: 'name', detector: foreign ? 'dictionary.foreign' : 'dictionary.lower-case', strength: SPAN_STRENGTH.dictionary });
      re.lastIndex = end;
    }
    // Many such words: the text is not English (a Spanish note), and they are ordinary words there.
    for (const f of found) if (foreignWords <= FOREIGN_WORDS_MAX || f.detector !== 'dictionary.foreign') out.push(f);
  }

  /** `my name is vitoria`: after a name label, a lower-case word that is a listed name or no English word. */
  #lowerCaseAfterLabel(text: string, starts: ReadonlySet<number>, out: DetectedSpan[]): void {
    for (const at of starts) {
      const m = LOWER_WORDS.exec(text.slice(at, at + 40));
      if (m === null) continue;
      let end = at;
      for (const w of m[0].split(/(\s+)/)) {
        if (/^\s+$/.test(w)) continue;
        const norm = normalizeToken(w);
        const plain = this.#wordLike(norm) || this.#allowed(norm);
        if (norm.length < 2 || plain) break;
        end = text.indexOf(w, end) + w.length;
      }
      if (end > at) out.push({ start: at, end, category: 'name', detector: 'dictionary.label', strength: SPAN_STRENGTH.context });
    }
  }

  #labelStarts(text: string, label: RegExp): Set<number> {
    const starts = new Set<number>();
    const re = label;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) starts.add(m.index + m[0].length);
    return starts;
  }

  /** `New York`, `Salt Lake City`: joins of adjacent capitalized words found in the places list. */
  #multiWordCities(text: string, tokens: readonly CapToken[], marks: Mark[]): void {
    const max = this.#dict.maxCityWords;
    for (let i = 0; i < tokens.length; i++) {
      let key = tok(tokens, i).norm;
      for (let k = 1; k < max && i + k < tokens.length; k++) {
        if (gap(text, tok(tokens, i + k - 1).end, tok(tokens, i + k).start) !== 'space') break;
        key += ` ${tok(tokens, i + k).norm}`;
        if (this.#dict.cities.has(key)) {
          // `Salt Lake City` is all English words: like a one-word place, it needs `in`, `from`, ...
          const plain = key.split(' ').every((w) => this.#dict.english.has(w));
          if (plain && !PLACE_PREPOSITION.test(text.slice(Math.max(0, tok(tokens, i).start - 6), tok(tokens, i).start))) continue;
          for (let j = i; j <= i + k; j++) if (marks[j] === '') marks[j] = 'city';
        }
      }
    }
  }

  /** Extends names to adjacent capitalized words, initials, `Last, First` and list-ambiguous words. */
  #chain(text: string, tokens: readonly CapToken[], marks: Mark[]): void {
    const d = this.#dict;
    const isPerson = (m: Mark | undefined): boolean => m !== undefined && m !== '' && m !== 'city';
    for (let i = 0; i < tokens.length; i++) {
      if (marks[i] !== '' && marks[i] !== 'city') continue;
      const t = tok(tokens, i);
      if (TITLES.has(t.norm) || this.#allowed(t.norm)) continue;
      const prevGap = i > 0 ? gap(text, tok(tokens, i - 1).end, t.start) : 'none';
      // `LIANG, WEI`: a short listed given name in capitals after `SURNAME,` (not `SMITH, MD`).
      if (t.allCaps && t.norm.length < 4 && prevGap === 'comma' && tok(tokens, i - 1).allCaps && isPerson(marks[i - 1]) && d.firstNames.has(t.norm) && !d.english.has(t.norm)) {
        marks[i] = 'chain';
        continue;
      }
      // An acronym (`MRN`, `ICU`) next to a name is not part of it, unless the name is in capitals too.
      if (t.allCaps && (t.norm.length < 4 || (i > 0 && !tok(tokens, i - 1).allCaps))) continue;
      // `Mijail C Adomo`: an initial without a period is followed by a blank, not a dot.
      const nextGap = i + 1 < tokens.length ? gap(text, t.end + (t.initial && text.charCodeAt(t.end) === 46 ? 1 : 0), tok(tokens, i + 1).start) : 'none';
      const prevInitial = i > 0 && (tok(tokens, i - 1).initial || TITLES.has(tok(tokens, i - 1).norm));
      const prevPerson = (prevGap === 'space' || (prevGap === 'dot' && prevInitial)) && isPerson(marks[i - 1]);
      const nextPerson = (nextGap === 'space' || (t.initial && nextGap === 'dot')) && isPerson(marks[i + 1]);
      const inNames = d.firstNames.has(t.norm) || d.surnames.has(t.norm);
      const common = d.english.has(t.norm);
      if (t.initial) {
        if (prevPerson || nextPerson) marks[i] = 'initial';
        continue;
      }
      const prevMark = marks[i - 1];
      const afterGiven = prevPerson && (prevMark === 'first' || prevMark === 'title' || prevMark === 'label' || prevMark === 'initial');
      // `Daniela C Capon`, `Ella H. Snider`: after a given name and an initial, a capitalized word is the surname even if a word.
      const afterInitial = afterGiven && prevMark === 'initial' && i > 1 && (marks[i - 2] === 'first' || marks[i - 2] === 'label' || marks[i - 2] === 'chain');
      if (afterInitial && !t.allCaps) {
        marks[i] = 'chain';
        continue;
      }
      if (marks[i] === 'city') {
        // `Jonathan K. Whitfield`: a place name right after a given name or initial is a surname.
        if (((prevPerson || nextPerson) && inNames) || afterGiven) marks[i] = 'chain';
        continue;
      }
      // `HERNANDEZ, MARIA`: a given name after `Surname,`.
      if (prevGap === 'comma' && isPerson(prevMark) && d.firstNames.has(t.norm)) {
        marks[i] = 'chain';
        continue;
      }
      // After a given name, any capitalized non-word is a surname; an ambiguous word needs a list hit.
      const afterFirst = afterGiven;
      if ((prevPerson || nextPerson) && inNames) marks[i] = 'chain';
      else if (afterFirst && !common) marks[i] = 'chain';
      // `change it to Moira Pagan.`, `wife Jane Roe present`: after an unambiguous given name (listed
      // or labelled), a word ending the clause is the surname.
      else if ((prevMark === 'first' || (prevMark === 'label' && d.firstNames.has(tok(tokens, i - 1).norm))) && prevGap === 'space' && !d.english.has(tok(tokens, i - 1).norm) && !t.allCaps && !INSTITUTION_WORD.test(t.norm) && SURNAME_END.test(text.slice(t.end, t.end + 3))) marks[i] = 'chain';
      else if (nextGap === 'comma' && marks[i + 1] === 'first' && (inNames || !common)) marks[i] = 'chain';
      else if (nextPerson && !common) marks[i] = 'chain';
      else if (!common && !t.allCaps && i + 1 < tokens.length && CONJUNCTION.test(text.slice(t.end, tok(tokens, i + 1).start)) && isPerson(marks[i + 1])) marks[i] = 'chain';
    }
  }

  #dropEponyms(text: string, tokens: readonly CapToken[], marks: Mark[]): void {
    for (let i = 0; i < tokens.length; i++) {
      const m = marks[i];
      if (m !== 'first' && m !== 'surname' && m !== 'chain' && m !== 'proper') continue;
      const next = nextWord(text, tok(tokens, i).end);
      // `Erb's point` is a sign; `Odette Aubé points out` is a person speaking.
      if (next === undefined || !EPONYM_NEXT.has(next) || POINTS_OUT.test(text.slice(tok(tokens, i).end, tok(tokens, i).end + 20))) continue;
      marks[i] = '';
      // `known as Lou Gehrig's disease`: the labelled given part of an eponym goes with it.
      if (i > 0 && marks[i - 1] === 'label' && gap(text, tok(tokens, i - 1).end, tok(tokens, i).start) === 'space') marks[i - 1] = '';
    }
  }
}

const NONE: CapToken = { start: -9, end: -9, norm: '', initial: false, allCaps: false, synthetic: false, ascii: true };

function tok(tokens: readonly CapToken[], i: number): CapToken {
  return tokens[i] ?? NONE;
}

/**
 * What separates two tokens: only blanks, a comma, a period (initials, titles), or anything else.
 * Double quotes count as blanks: a quoted nickname sits inside a name (`"Bud" Kowalczyk`).
 */
function gap(text: string, from: number, to: number): 'space' | 'comma' | 'dot' | 'none' {
  if (to - from > 4 || to <= from) return 'none';
  let kind: 'space' | 'comma' | 'dot' = 'space';
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === 32 || c === 9 || isDoubleQuote(c)) continue;
    if (c === 44 && kind === 'space') kind = 'comma';
    else if (c === 46 && kind === 'space') kind = 'dot';
    else return 'none';
  }
  return kind;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}
function isLetter(c: number): boolean {
  return isUpper(c) || (c >= 97 && c <= 122) || c > 127;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** `"`, `“`, `”`. */
function isDoubleQuote(c: number): boolean {
  return c === 34 || c === 0x201c || c === 0x201d;
}

/** True when the word starts a sentence, line or field (its capital says nothing). */
function sentenceStart(text: string, at: number): boolean {
  for (let k = at - 1; k >= 0; k--) {
    const c = text.charCodeAt(k);
    if (c === 32 || c === 9) continue;
    // A closing quote says nothing (`"Bud" Kowalczyk` is mid-sentence, `." Then` starts one); an
    // opening one starts a quoted sentence (`said "Will you ...`).
    if (isDoubleQuote(c)) {
      if (c !== 0x201c && k > 0 && !isBlank(text.charCodeAt(k - 1))) continue;
      return true;
    }
    // `R. Vizirov`, `Dr. Reyes`: the period of an initial or a title does not end a sentence
    if (c === 46 && k >= 1 && isUpper(text.charCodeAt(k - 1)) && (k < 2 || !isLetter(text.charCodeAt(k - 2)))) return false;
    if (c === 46 && k >= 2 && /(?:^|[^A-Za-z])(?:Dr|Mr|Mrs|Ms|Prof|St)$/.test(text.slice(Math.max(0, k - 5), k))) return false;
    // letters, digits, comma, semicolon, closing bracket: mid-sentence
    return !((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 44 || c === 59 || c === 41 || c > 127);
  }
  return true;
}

const NEXT_WORD = /^(?:['’]s)?[ \t]+([A-Za-z]+)/;

function nextWord(text: string, from: number): string | undefined {
  const m = NEXT_WORD.exec(text.slice(from, from + 24));
  return m?.[1]?.toLowerCase();
}

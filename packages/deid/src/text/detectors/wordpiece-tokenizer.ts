import { DeidError } from '../../context/deid-error.ts';

/** One WordPiece token with the character extent it came from (UTF-16 offsets in the input). */
export interface WordPieceToken {
  readonly id: number;
  readonly start: number;
  readonly end: number;
  /** Index of the basic-tokenizer word this piece belongs to (pieces of one word share it). */
  readonly word: number;
}

export interface WordPieceOptions {
  /** Lower-case and strip accents before matching, as uncased BERT vocabularies need (default true). */
  readonly lowerCase?: boolean;
  /** Words longer than this many characters become `[UNK]` (BERT's default 100). */
  readonly maxWordChars?: number;
}

/** The ids of the special tokens a BERT-style classifier needs. */
export interface SpecialTokenIds {
  readonly cls: number;
  readonly sep: number;
  readonly pad: number;
  readonly unk: number;
}

const CONTINUATION = '##';

/** Characters BERT's BasicTokenizer splits off as words of their own (ASCII symbols and Unicode P*). */
function isAsciiPunctuation(code: number): boolean {
  return (code >= 33 && code <= 47) || (code >= 58 && code <= 64) || (code >= 91 && code <= 96) || (code >= 123 && code <= 126);
}
function isPunctuation(ch: string, code: number): boolean {
  return isAsciiPunctuation(code) || /^\p{P}$/u.test(ch);
}

/** CJK ideographs are words of their own, as in BERT's `_tokenize_chinese_chars`. */
function isCjk(code: number): boolean {
  return (code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf) || (code >= 0x20000 && code <= 0x2a6df) || (code >= 0xf900 && code <= 0xfaff) || (code >= 0x2f800 && code <= 0x2fa1f);
}

function isControl(ch: string, code: number): boolean {
  if (code === 0 || code === 0xfffd) return true;
  if (ch === '\t' || ch === '\n' || ch === '\r') return false;
  return /^[\p{Cc}\p{Cf}]$/u.test(ch);
}

/** A word under construction: its normalized text and, per UTF-16 unit of it, the source extent. */
interface WordChars {
  norm: string;
  starts: number[];
  ends: number[];
}

/**
 * BERT's WordPiece tokenizer (BasicTokenizer + greedy longest-match-first WordPiece, as in the
 * `vocab.txt` of a BERT/DistilBERT/ELECTRA checkpoint) that keeps, for every piece, the character
 * extent of the original text it came from, so model labels map back to exact offsets even after
 * lower-casing and accent stripping. Other tokenizer families (SentencePiece, byte-level BPE) are
 * not implemented: wrap such a model in your own `AsyncTokenClassifier`.
 */
export class WordPieceTokenizer {
  readonly #vocab: ReadonlyMap<string, number>;
  readonly #lowerCase: boolean;
  readonly #maxWordChars: number;
  /** Longest vocabulary entry (UTF-16 units, `##` excluded): no longer piece is tried. */
  readonly #maxPiece: number;
  readonly special: SpecialTokenIds;

  /** `vocab`: the text of `vocab.txt`, one token a line, id = line number (0-based). */
  constructor(vocab: string, options: WordPieceOptions = {}) {
    const lines = vocab.split(/\r?\n/);
    if (lines.at(-1) === '') lines.pop();
    const map = new Map<string, number>();
    lines.forEach((token, id) => {
      if (!map.has(token)) map.set(token, id);
    });
    const need = (token: string): number => {
      const id = map.get(token);
      if (id === undefined) throw new DeidError('model-invalid', `vocabulary lacks the special token ${token}`, { place: { path: 'vocab.txt' } });
      return id;
    };
    this.special = Object.freeze({ cls: need('[CLS]'), sep: need('[SEP]'), pad: need('[PAD]'), unk: need('[UNK]') });
    this.#vocab = map;
    this.#maxPiece = Math.max(1, ...[...map.keys()].map((t) => (t.startsWith(CONTINUATION) ? t.length - CONTINUATION.length : t.length)));
    this.#lowerCase = options.lowerCase ?? true;
    this.#maxWordChars = options.maxWordChars ?? 100;
  }

  /** Vocabulary size (the model's embedding table must have at least this many rows). */
  get size(): number {
    return this.#vocab.size;
  }

  /** Tokens of `text` in order, each with its character extent; `[UNK]` for words the vocabulary cannot spell. */
  tokenize(text: string): WordPieceToken[] {
    const out: WordPieceToken[] = [];
    let word: WordChars | undefined;
    let wordIndex = 0;
    const flush = (): void => {
      if (word === undefined) return;
      this.#pieces(word, wordIndex, out);
      wordIndex++;
      word = undefined;
    };
    for (let i = 0; i < text.length; ) {
      const code = text.codePointAt(i) ?? 0;
      if (code < 128) {
        // ASCII fast path: no regular expression, no normalization.
        if (code <= 32 || code === 127) flush();
        else if (isAsciiPunctuation(code)) {
          flush();
          word = { norm: text[i] ?? '', starts: [i], ends: [i + 1] };
          flush();
        } else {
          word ??= { norm: '', starts: [], ends: [] };
          word.norm += this.#lowerCase && code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : (text[i] ?? '');
          word.starts.push(i);
          word.ends.push(i + 1);
        }
        i++;
        continue;
      }
      const ch = String.fromCodePoint(code);
      const next = i + ch.length;
      if (/^\s$/u.test(ch) || isControl(ch, code)) {
        flush();
      } else if (isPunctuation(ch, code) || isCjk(code)) {
        flush();
        word = { norm: '', starts: [], ends: [] };
        this.#push(word, ch, i, next);
        flush();
      } else {
        word ??= { norm: '', starts: [], ends: [] };
        this.#push(word, ch, i, next);
      }
      i = next;
    }
    flush();
    return out;
  }

  /** Adds one source character, normalized; a combining mark that normalizes away widens the previous one. */
  #push(word: WordChars, ch: string, start: number, end: number): void {
    const norm = this.#lowerCase ? ch.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '') : ch;
    if (norm === '') {
      if (word.ends.length > 0) word.ends[word.ends.length - 1] = end;
      return;
    }
    word.norm += norm;
    for (let k = 0; k < norm.length; k++) {
      word.starts.push(start);
      word.ends.push(end);
    }
  }

  /** Greedy longest-match-first WordPiece over one word (BERT `WordpieceTokenizer.tokenize`). */
  #pieces(word: WordChars, wordIndex: number, out: WordPieceToken[]): void {
    const text = word.norm;
    const n = text.length;
    if (n === 0) return;
    const wordStart = word.starts[0] ?? 0;
    const wordEnd = word.ends[n - 1] ?? wordStart;
    if (text.length > this.#maxWordChars) {
      out.push({ id: this.special.unk, start: wordStart, end: wordEnd, word: wordIndex });
      return;
    }
    const pieces: WordPieceToken[] = [];
    for (let start = 0; start < n; ) {
      let found: number | undefined;
      let end = Math.min(n, start + this.#maxPiece);
      for (; end > start; end--) {
        found = this.#vocab.get(start > 0 ? CONTINUATION + text.slice(start, end) : text.slice(start, end));
        if (found !== undefined) break;
      }
      if (found === undefined) {
        out.push({ id: this.special.unk, start: wordStart, end: wordEnd, word: wordIndex });
        return;
      }
      pieces.push({ id: found, start: word.starts[start] ?? wordStart, end: word.ends[end - 1] ?? wordEnd, word: wordIndex });
      start = end;
    }
    out.push(...pieces);
  }
}

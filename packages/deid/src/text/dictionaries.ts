import { brotliDecompressSync } from 'node:zlib';
import { CLINICAL_ALLOW_WORDS } from './data/clinical-allow-list.ts';
import { CITIES_BR, ENGLISH_BR, FIRST_BR, LAST_BR } from './data/dictionaries.data.ts';

/**
 * The word lists the detectors look tokens up in, as hash sets over normalized tokens (lower
 * case, accents folded; see {@link normalizeToken}). Built once per engine, then read-only.
 * Sources and licences: data/SOURCES.md.
 */
export interface Dictionaries {
  /** Given names (SSA-derived lists, Moby names). */
  readonly firstNames: ReadonlySet<string>;
  /** Surnames (US Census 2000 most frequent). */
  readonly surnames: ReadonlySet<string>;
  /** US place names (one- and multi-word, e.g. `new york`). */
  readonly cities: ReadonlySet<string>;
  /** Ordinary lower-case English words (SCOWL): a name entry that is one (`will`, `hope`) needs context. */
  readonly english: ReadonlySet<string>;
  /** Clinical words that must not be taken as names or places on a dictionary hit alone. */
  readonly clinicalAllow: ReadonlySet<string>;
  /** Longest city name, in words. */
  readonly maxCityWords: number;
}

function decode(base64: string): string[] {
  return brotliDecompressSync(Buffer.from(base64, 'base64')).toString('utf8').split('|');
}

/** Decodes the shipped lists (about 10 ms). Call once and share the result. */
export function loadDictionaries(): Dictionaries {
  const cities = decode(CITIES_BR);
  let maxCityWords = 1;
  for (const c of cities) maxCityWords = Math.max(maxCityWords, c.split(' ').length);
  return Object.freeze({
    firstNames: new Set(decode(FIRST_BR)),
    surnames: new Set(decode(LAST_BR)),
    cities: new Set(cities),
    english: new Set(decode(ENGLISH_BR)),
    clinicalAllow: new Set(CLINICAL_ALLOW_WORDS),
    maxCityWords: Math.min(maxCityWords, 4),
  });
}

const ACCENTS = /[\u0300-\u036f]/g;
const ASCII_LETTERS = /^[\x20-\x7e]*$/;

/** Lower case, accents folded, trailing possessive removed: `Crohn’s` → `crohn`, `JOSÉ` → `jose`. */
export function normalizeToken(token: string): string {
  let t = token.toLowerCase();
  if (!ASCII_LETTERS.test(t)) t = t.normalize('NFD').replace(ACCENTS, '');
  if (t.endsWith("'s") || t.endsWith('’s')) t = t.slice(0, -2);
  return t;
}

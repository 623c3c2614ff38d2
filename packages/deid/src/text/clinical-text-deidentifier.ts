import { DeidError } from '../context/deid-error.ts';
import { joinAdjacent, mergeSpans, type AsyncSpanDetector, type DetectedSpan, type SpanDetector } from './detected-span.ts';
import { loadDictionaries, type Dictionaries } from './dictionaries.ts';
import { addressBlockSpans } from './detectors/address-block.ts';
import { KnownIdentifierDetector } from './detectors/known-identifier-detector.ts';
import { NameDetector } from './detectors/name-detector.ts';
import { buildNicknameIndex } from './detectors/nicknames.ts';
import { PatternDetector } from './detectors/pattern-detector.ts';
import { PATTERN_RULES } from './detectors/pattern-rules.ts';
import { repeatedDateSpans } from './detectors/repeated-date.ts';
import { repeatedNameSpans } from './detectors/repeated-name.ts';
import { residencePlaceSpans } from './detectors/residence-place.ts';
import { zipAfterPlaceSpans } from './detectors/zip-after-place.ts';
import { SurrogateWriter, type ReplacementMode } from './replace/surrogate-writer.ts';
import type { KnownIdentifiers, TextDeidRequest, TextDeidResult, TextDeidentifier, TextSpan } from './text-deidentifier.ts';

const KNOWN_CACHE_SIZE = 256;

export interface ClinicalTextDeidentifierOptions {
  /** `tags` (default): `[NAME]`; `surrogates`: realistic and consistent per patient (needs `request.patient`). */
  readonly mode?: ReplacementMode;
  /** Shared, already decoded word lists (decoding takes a few ms; share one across engines). */
  readonly dictionaries?: Dictionaries;
  /** Extra detectors run after the built-in ones, e.g. a token-classification model (off by default). */
  readonly extraDetectors?: readonly SpanDetector[];
  /**
   * Asynchronous detectors (an ONNX model, {@link createAsyncModelDetector}); off by default.
   * With any, use `detectAsync` / `deidentifyAsync`: the synchronous methods throw
   * `model-not-awaited` rather than silently skip the model.
   */
  readonly asyncDetectors?: readonly AsyncSpanDetector[];
}

/** The engine's own API on top of the port: detection alone (for review and evaluation). */
export interface ClinicalTextDeidentifier extends TextDeidentifier {
  /** Spans, sorted, non-overlapping, each with its category and the detector that fired. */
  detect(text: string, known?: KnownIdentifiers): TextSpan[];
  /** {@link detect} with the asynchronous detectors too (their spans merged with the rules'). */
  detectAsync(text: string, known?: KnownIdentifiers): Promise<TextSpan[]>;
  /** `deidentify` with the asynchronous detectors too. */
  deidentifyAsync(request: TextDeidRequest): Promise<TextDeidResult>;
}

/**
 * The clinical free-text engine: all 18 Safe Harbor categories (45 CFR §164.514(b)(2)(i)) as
 * they appear in English notes. One combined regular-expression pass for the pattern families,
 * one scan of capitalized words against hash sets for names and places, the patient's known
 * identifiers (exact and fuzzy), optional extra detectors; overlapping spans are merged
 * (recall first), neighbouring name or place words joined, and replaced by tags or surrogates.
 */
export function createClinicalTextDeidentifier(options: ClinicalTextDeidentifierOptions = {}): ClinicalTextDeidentifier {
  const dictionaries = options.dictionaries ?? loadDictionaries();
  const nicknames = buildNicknameIndex();
  const builtIn: readonly SpanDetector[] = [new PatternDetector(PATTERN_RULES), new NameDetector(dictionaries), ...(options.extraDetectors ?? [])];
  const isCommonWord = (norm: string): boolean => dictionaries.english.has(norm) || dictionaries.clinicalAllow.has(norm);
  const writer = new SurrogateWriter({
    firstNames: [...dictionaries.firstNames].filter((n) => n.length >= 3 && !isCommonWord(n)),
    surnames: [...dictionaries.surnames].filter((n) => n.length >= 3 && !isCommonWord(n)),
    cities: [...dictionaries.cities].filter((c) => !isCommonWord(c)),
    isGivenName: (lower) => dictionaries.firstNames.has(lower) && !dictionaries.surnames.has(lower),
  });
  const mode = options.mode ?? 'tags';

  // Per-engine cache of compiled known-identifier detectors (a batch has many notes per patient).
  const knownCache = new Map<string, KnownIdentifierDetector>();
  // A frozen `known` (DICOM hands the same one for every value of an instance) cannot change, so
  // its detector is found by identity, without serialising it again for each value.
  const frozenKnown = new WeakMap<KnownIdentifiers, KnownIdentifierDetector>();
  function knownDetector(known: KnownIdentifiers): KnownIdentifierDetector {
    // Only deeply frozen objects are ever stored, and they cannot thaw: a hit needs no check.
    let detector = frozenKnown.get(known);
    if (detector !== undefined) return detector;
    const key = JSON.stringify(known);
    detector = knownCache.get(key);
    if (detector === undefined) {
      detector = new KnownIdentifierDetector(known, nicknames, isCommonWord);
      if (knownCache.size >= KNOWN_CACHE_SIZE) knownCache.delete(knownCache.keys().next().value ?? '');
      knownCache.set(key, detector);
    }
    if (isDeeplyFrozen(known)) frozenKnown.set(known, detector);
    return detector;
  }

  const asyncDetectors = options.asyncDetectors ?? [];
  function detectInternal(text: string, known: KnownIdentifiers | undefined, fromModels?: readonly DetectedSpan[]): DetectedSpan[] {
    if (fromModels === undefined && asyncDetectors.length > 0) throw new DeidError('model-not-awaited', 'this engine has asynchronous detectors: call detectAsync or deidentifyAsync', { place: { field: 'asyncDetectors' } });
    const found: DetectedSpan[] = fromModels === undefined ? [] : [...fromModels];
    for (const d of builtIn) d.detect(text, found);
    if (known !== undefined) knownDetector(known).detect(text, found);
    const spans = joinAdjacent(text, mergeSpans(found));
    // Document context: the rest of an address block, and names and dates again where they recur.
    const more = [...addressBlockSpans(text, spans, isCommonWord), ...repeatedNameSpans(text, spans, isCommonWord), ...repeatedDateSpans(text, spans), ...residencePlaceSpans(text, isCommonWord)];
    const joined = more.length === 0 ? spans : joinAdjacent(text, mergeSpans([...spans, ...more]));
    // Then a ZIP code right after any place found so far (a residence or city too, not only a block's).
    const zips = zipAfterPlaceSpans(text, joined);
    return zips.length === 0 ? joined : mergeSpans([...joined, ...zips]);
  }

  async function modelSpans(text: string): Promise<DetectedSpan[]> {
    const all = await Promise.all(asyncDetectors.map((d) => d.detect(text)));
    return all.flat();
  }
  function result(request: TextDeidRequest, found: readonly DetectedSpan[]): TextDeidResult {
    const spans = found.map(({ start, end, category, detector }) => Object.freeze({ start, end, category, detector }));
    const text = new SurrogateWriterView(writer).apply(request.text, spans, mode, request.patient);
    return Object.freeze({ text, spans: Object.freeze(spans) });
  }
  const publicSpan = ({ start, end, category, detector }: DetectedSpan): TextSpan => ({ start, end, category, detector });

  return {
    detect(text, known) {
      return detectInternal(text, known).map(publicSpan);
    },
    async detectAsync(text, known) {
      return detectInternal(text, known, await modelSpans(text)).map(publicSpan);
    },
    deidentify(request: TextDeidRequest): TextDeidResult {
      return result(request, detectInternal(request.text, request.known));
    },
    async deidentifyAsync(request: TextDeidRequest): Promise<TextDeidResult> {
      return result(request, detectInternal(request.text, request.known, await modelSpans(request.text)));
    },
  };
}

/**
 * `known` and each list the detector reads frozen (their strings are immutable): its detector may
 * be cached by identity. Other properties do not matter: the detector never reads them.
 */
function isDeeplyFrozen(known: KnownIdentifiers): boolean {
  const frozen = (list: readonly string[] | undefined): boolean => list === undefined || Object.isFrozen(list);
  return (
    Object.isFrozen(known) &&
    frozen(known.names) &&
    frozen(known.dates) &&
    frozen(known.identifiers) &&
    frozen(known.addresses) &&
    frozen(known.phones) &&
    frozen(known.emails)
  );
}

/** Thin indirection so the writer can be swapped in tests without touching detection. */
class SurrogateWriterView {
  readonly #writer: SurrogateWriter;
  constructor(writer: SurrogateWriter) {
    this.#writer = writer;
  }
  apply(...args: Parameters<SurrogateWriter['apply']>): string {
    return this.#writer.apply(...args);
  }
}

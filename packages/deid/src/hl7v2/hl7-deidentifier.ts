import type { PatientContext, PatientContextFactory } from '../context/patient-context.ts';
import { DeidError } from '../context/deid-error.ts';
import type { MethodApplier } from '../profiles/method-applier.ts';
import type { DeidTally } from '../manifest/deid-tally.ts';
import { DEFAULT_ENCODING, readEncoding, type Hl7Encoding } from './hl7-encoding.ts';
import { parseHl7Document } from './hl7-document.ts';
import { hl7DateToIsoScan } from './hl7-date.ts';
import { Hl7LineTable } from './hl7-line-table.ts';
import { cleanFileStructure, Hl7EncodingCache, type Hl7FileStructure } from './hl7-file-structure.ts';
import { fieldOfSegment, parseCxList, resolveParsedCx, resolvePatientFromPidText, type Hl7IdentityRule } from './hl7-identity.ts';
import { Hl7KnownCollector, knownIdentifierPlan } from './hl7-known-identifiers.ts';
import { Hl7KnownValues, type KnownValueLookup } from './hl7-known-values.ts';
import type { KnownIdentifiers } from '../text/text-deidentifier.ts';
import type { KnownTextKeys } from './hl7-text-prefilter.ts';
import { HL7_SAFE_HARBOR_TABLE } from './hl7-safe-harbor-table.ts';
import { Hl7FieldDeidentifier, type Hl7FieldScope, type Pid3 } from './hl7-field-deidentifier.ts';
import { Hl7SegmentPlans, type SegmentPlan } from './hl7-segment-plan.ts';
import { Hl7SegmentScanner } from './hl7-segment-scanner.ts';
import { Hl7SeparatorIndex } from './hl7-separator-index.ts';
import { Hl7TallyCounter } from './hl7-tally-counter.ts';
import { isHeader, segmentIdKey } from './hl7-structure.ts';

export interface Hl7DeidentifierOptions {
  readonly factory: PatientContextFactory;
  readonly methods: MethodApplier;
  readonly identity?: Hl7IdentityRule;
  /** ISO date for the over-89 rule when a message has no MSH-7 (the CLI passes today). */
  readonly referenceDate?: string;
}

export interface Hl7DeidResult {
  /** The de-identified file; failed messages are left out (never passed through). */
  readonly text: string;
  readonly messages: number;
  readonly failed: number;
  readonly tally: DeidTally;
  /** One typed error per failed message or stray line, with its place (line, segment, field, message index). */
  readonly problems: readonly DeidError[];
}

const NO_KNOWN = new Hl7KnownValues();
const CHANGED = 1;
const DROPPED = 2;

/** parseHl7Document's readable messages of a file with problems, and how many it could not read. */
interface ReportedStructure extends Hl7FileStructure {
  failed: number;
}

/** A message's scope; the known-identifier lists are made only when a field's method asks (free text). */
class MessageScope implements Hl7FieldScope {
  readonly enc: Hl7Encoding;
  readonly patient: PatientContext | undefined;
  readonly factory: PatientContextFactory;
  readonly identity: Hl7IdentityRule;
  readonly knownValues: KnownValueLookup;
  readonly referenceDate: string | undefined;
  readonly tally: Hl7TallyCounter;
  readonly pid3: Pid3 | undefined;
  readonly #collector: Hl7KnownCollector;

  constructor(enc: Hl7Encoding, patient: PatientContext | undefined, pid3: Pid3 | undefined, options: Hl7DeidentifierOptions, collector: Hl7KnownCollector, referenceDate: string | undefined, tally: Hl7TallyCounter) {
    this.enc = enc;
    this.pid3 = pid3;
    this.patient = patient;
    this.factory = options.factory;
    this.identity = options.identity ?? {};
    this.#collector = collector;
    this.knownValues = collector.values;
    this.referenceDate = referenceDate;
    this.tally = tally;
  }

  get known(): KnownIdentifiers {
    return this.#collector.known();
  }

  get textKeys(): KnownTextKeys {
    return this.#collector.textKeys();
  }
}

/**
 * De-identifies HL7 v2 files (docs/deid/hl7v2.md): per message, the patient is resolved from
 * PID-3 and every known segment goes through the Safe Harbor table and the profile; unknown and
 * Z-segments follow the profile's `unknown` policy. A message that cannot be parsed is left out
 * of the output and reported; the others are processed. Pure: text in, text out.
 *
 * The hot path (docs/deid/hl7v2.md, "How it runs"): each segment id has a precompiled plan (an
 * action per field number); a segment is scanned once for field separators, fields no rule
 * changes are never copied out of the input, and the output is the input's untouched spans
 * joined with the replacements. Counts go into numbered slots, not a map per change.
 */
export class Hl7Deidentifier {
  readonly #options: Hl7DeidentifierOptions;
  readonly #counter = new Hl7TallyCounter();
  readonly #plans: Hl7SegmentPlans;
  readonly #scanner: Hl7SegmentScanner;
  /** Plans by {@link segmentIdKey}: a number, so a line's id is not sliced out to find its plan. */
  readonly #byKey = new Map<number, SegmentPlan>();
  readonly #collector: Hl7KnownCollector;
  readonly #lines = new Hl7LineTable();
  readonly #encodings = new Hl7EncodingCache();
  #lineState = new Uint8Array(64);
  readonly #separators = new Hl7SeparatorIndex();
  /** Per segment of the message being processed: its plan, and its separators' `from`, `count` in {@link #separators}. */
  readonly #linePlans: SegmentPlan[] = [];
  #spans = new Int32Array(128);

  constructor(options: Hl7DeidentifierOptions) {
    this.#options = options;
    this.#collector = new Hl7KnownCollector(knownIdentifierPlan(HL7_SAFE_HARBOR_TABLE));
    this.#plans = new Hl7SegmentPlans(HL7_SAFE_HARBOR_TABLE, options.methods, this.#counter);
    this.#scanner = new Hl7SegmentScanner(new Hl7FieldDeidentifier(options.methods), options.methods, this.#plans, this.#counter);
  }

  deidentify(input: string): Hl7DeidResult {
    const table = this.#lines;
    table.scan(input);
    const count = table.count;
    const texts: string[] = [];
    for (let i = 0; i < count; i++) texts.push(input.slice(table.textStart[i], table.textEnd[i]));
    const state = this.#state(count);
    const problems: DeidError[] = [];
    // A clean file (nearly all) is read from the line texts; one with anything to report takes
    // parseHl7Document's reading, with its errors and places.
    let structure: Hl7FileStructure | undefined = cleanFileStructure(texts, this.#encodings);
    let failed = 0;
    if (structure === undefined) {
      const reported = this.#reportedStructure(input, state, problems);
      failed = reported.failed;
      structure = reported;
    }
    let lastEncoding = DEFAULT_ENCODING;
    let tally: DeidTally;
    try {
      const { starts, ends, encodings } = structure;
      for (let m = 0; m < starts.length; m++) {
        const enc = encodings[m] as Hl7Encoding;
        lastEncoding = enc;
        this.#message(texts, state, starts[m] as number, ends[m] as number, enc);
      }
      for (const i of structure.envelope) this.#envelope(texts, state, i, lastEncoding);
    } finally {
      tally = this.#counter.take();
    }
    return { text: joinLines(input, table, texts, state), messages: structure.starts.length + failed, failed, tally, problems };
  }

  #lineSpans(size: number): Int32Array {
    if (this.#spans.length < size) this.#spans = new Int32Array(Math.max(size, this.#spans.length * 2));
    return this.#spans;
  }

  /** Per line: 0 as read, CHANGED (its text is `texts[i]`), DROPPED. Reused, zeroed for `count` lines. */
  #state(count: number): Uint8Array {
    if (this.#lineState.length < count) this.#lineState = new Uint8Array(Math.max(count, this.#lineState.length * 2));
    else this.#lineState.fill(0, 0, count);
    return this.#lineState;
  }

  /**
   * parseHl7Document's reading of a file it reports problems in: stray lines and unreadable
   * messages are dropped (state DROPPED) and reported, in the document's order; the readable
   * messages are returned for processing.
   */
  #reportedStructure(input: string, state: Uint8Array, problems: DeidError[]): ReportedStructure {
    const doc = parseHl7Document(input);
    const out: ReportedStructure = { starts: [], ends: [], encodings: [], envelope: [...doc.envelope], failed: 0 };
    for (const orphan of doc.orphans) {
      if (orphan.index === 0 || state[orphan.index - 1] !== DROPPED) problems.push(orphan.error);
      state[orphan.index] = DROPPED;
    }
    for (const span of doc.messages) {
      if (!span.ok) {
        out.failed += 1;
        problems.push(span.error.place?.index === undefined ? new DeidError(span.error.code, span.error.message, { place: { ...span.error.place, index: span.index } }) : span.error);
        for (let i = span.start; i < span.end; i++) state[i] = DROPPED;
        continue;
      }
      out.starts.push(span.start);
      out.ends.push(span.end);
      out.encodings.push(span.encoding);
    }
    return out;
  }

  #message(texts: string[], state: Uint8Array, start: number, end: number, enc: Hl7Encoding): void {
    const collector = this.#collector;
    collector.reset(enc);
    // Each segment's separators are found once, here, for the collection and for the field rules.
    const index = this.#separators;
    index.reset();
    const plans = this.#linePlans;
    const spans = this.#lineSpans(2 * (end - start));
    let pid: string | undefined;
    for (let i = start; i < end; i++) {
      const text = texts[i] ?? '';
      if (pid === undefined && text.startsWith('PID')) pid = text;
      const plan = this.#plan(text);
      plans[i - start] = plan;
      const from = index.size;
      const count = plan.whole === 'fields' || collector.wants(text) ? index.walk(text, enc.field) : 0;
      spans[2 * (i - start)] = from;
      spans[2 * (i - start) + 1] = count;
      if (count > 0) collector.segmentAt(text, index.positions, from, count);
    }
    const rule = this.#options.identity ?? {};
    let pid3: Pid3 | undefined;
    if (pid !== undefined && (rule.field ?? 'PID-3') === 'PID-3') {
      const raw = fieldOfSegment(pid, 3, enc.field);
      const reps = parseCxList(raw, enc);
      pid3 = { raw, reps, resolved: resolveParsedCx(reps, rule) };
    }
    const identity = pid === undefined ? undefined : pid3 !== undefined ? pid3.resolved?.identity : resolvePatientFromPidText(pid, enc, rule);
    const patient: PatientContext | undefined = identity === undefined ? undefined : this.#options.factory.forPatient(identity);
    const when = hl7DateToIsoScan(mshDateTime(texts[start] ?? '', enc));
    const referenceDate = when !== undefined && when.iso.length === 10 ? when.iso : this.#options.referenceDate;
    const scope = new MessageScope(enc, patient, pid3, this.#options, collector, referenceDate, this.#counter);
    for (let i = start; i < end; i++) {
      const text = texts[i] ?? '';
      const j = 2 * (i - start);
      const out = this.#scanner.segmentAt(text, plans[i - start] as SegmentPlan, scope, collector.values, index.positions, spans[j] as number, spans[j + 1] as number);
      if (out === undefined) state[i] = DROPPED;
      else if (out !== text) {
        texts[i] = out;
        state[i] = CHANGED;
      }
    }
  }

  #plan(text: string): SegmentPlan {
    const key = segmentIdKey(text);
    if (key < 0) return this.#plans.plan(text.slice(0, 3));
    let plan = this.#byKey.get(key);
    if (plan === undefined) {
      plan = this.#plans.plan(text.slice(0, 3));
      this.#byKey.set(key, plan);
    }
    return plan;
  }

  /** Batch envelopes (FHS/BHS/BTS/FTS) go through their tables; framing and blank lines stay. */
  #envelope(texts: string[], state: Uint8Array, index: number, fallback: Hl7Encoding): void {
    const text = texts[index] ?? '';
    if (text === '' || text.startsWith('\x1C')) return;
    let enc = fallback;
    if (isHeader(text.slice(0, 3))) {
      try {
        enc = readEncoding(text);
      } catch {
        state[index] = DROPPED;
        return;
      }
    }
    const scope: Hl7FieldScope = { enc, patient: undefined, factory: this.#options.factory, identity: {}, known: {}, knownValues: NO_KNOWN, referenceDate: undefined, tally: this.#counter };
    const out = this.#scanner.segment(text, this.#plan(text), scope, NO_KNOWN);
    if (out === undefined) state[index] = DROPPED;
    else if (out !== text) {
      texts[index] = out;
      state[index] = CHANGED;
    }
  }
}

/**
 * The output file: the input with dropped lines left out and changed lines' texts replaced (leads
 * and terminators as read), copied in runs of unchanged lines; the input itself when nothing changed.
 */
function joinLines(input: string, table: Hl7LineTable, texts: readonly string[], state: Uint8Array): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < table.count; i++) {
    const st = state[i];
    if (st === CHANGED) {
      out += input.slice(from, table.textStart[i]) + (texts[i] ?? '');
      from = table.textEnd[i] as number;
    } else if (st === DROPPED) {
      out += input.slice(from, table.leadStart[i]);
      from = table.lineEnd[i] as number;
    }
  }
  return from === 0 ? input : out + input.slice(from);
}

/** MSH-7 component 1 (the message time), found by counting separators: MSH-2 follows the first. */
function mshDateTime(msh: string, enc: Hl7Encoding): string {
  let at = 3;
  for (let k = 0; k < 5 && at >= 0; k++) at = msh.indexOf(enc.field, at + 1);
  if (at < 0) return '';
  const end = msh.indexOf(enc.field, at + 1);
  const field = end < 0 ? msh.slice(at + 1) : msh.slice(at + 1, end);
  const comp = field.indexOf(enc.component);
  return comp < 0 ? field : field.slice(0, comp);
}

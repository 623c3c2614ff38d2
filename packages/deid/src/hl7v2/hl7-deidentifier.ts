import type { PatientContext, PatientContextFactory } from '../context/patient-context.ts';
import { DeidError } from '../context/deid-error.ts';
import type { MethodApplier } from '../profiles/method-applier.ts';
import { DeidTally } from '../manifest/deid-tally.ts';
import { DEFAULT_ENCODING, readEncoding, type Hl7Encoding } from './hl7-encoding.ts';
import { parseHl7Document } from './hl7-document.ts';
import { hl7DateToIsoScan } from './hl7-date.ts';
import { joinHl7Lines, type Hl7Line } from './hl7-lines.ts';
import { fieldOfSegment, parseCxList, resolveParsedCx, resolvePatientFromPidText, type Hl7IdentityRule } from './hl7-identity.ts';
import { Hl7KnownCollector, knownIdentifierPlan } from './hl7-known-identifiers.ts';
import { Hl7KnownValues, type KnownValueLookup } from './hl7-known-values.ts';
import type { KnownIdentifiers } from '../text/text-deidentifier.ts';
import { HL7_SAFE_HARBOR_TABLE } from './hl7-safe-harbor-table.ts';
import { Hl7FieldDeidentifier, type Hl7FieldScope, type Pid3 } from './hl7-field-deidentifier.ts';
import { Hl7SegmentPlans, type SegmentPlan } from './hl7-segment-plan.ts';
import { Hl7SegmentScanner } from './hl7-segment-scanner.ts';
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
  readonly #collector = new Hl7KnownCollector(knownIdentifierPlan(HL7_SAFE_HARBOR_TABLE));

  constructor(options: Hl7DeidentifierOptions) {
    this.#options = options;
    this.#plans = new Hl7SegmentPlans(HL7_SAFE_HARBOR_TABLE, options.methods, this.#counter);
    this.#scanner = new Hl7SegmentScanner(new Hl7FieldDeidentifier(options.methods), options.methods, this.#plans, this.#counter);
  }

  deidentify(input: string): Hl7DeidResult {
    const doc = parseHl7Document(input);
    const tally = new DeidTally();
    const problems: DeidError[] = [];
    const drop = new Set<number>();
    for (const orphan of doc.orphans) {
      drop.add(orphan.index);
      if (!drop.has(orphan.index - 1) || orphan.index === 0) problems.push(orphan.error);
    }
    let failed = 0;
    let lastEncoding = DEFAULT_ENCODING;
    try {
      for (const span of doc.messages) {
        if (!span.ok) {
          failed += 1;
          problems.push(span.error.place?.index === undefined ? new DeidError(span.error.code, span.error.message, { place: { ...span.error.place, index: span.index } }) : span.error);
          for (let i = span.start; i < span.end; i++) drop.add(i);
          continue;
        }
        lastEncoding = span.encoding;
        this.#message(doc.lines, span.start, span.end, span.encoding, drop);
      }
      for (const i of doc.envelope) this.#envelope(doc.lines[i], lastEncoding, drop, i);
    } finally {
      this.#counter.flushInto(tally);
    }
    const kept: Hl7Line[] = drop.size === 0 ? doc.lines : doc.lines.filter((_, i) => !drop.has(i));
    return { text: joinHl7Lines(kept), messages: doc.messages.length, failed, tally, problems };
  }

  #message(lines: Hl7Line[], start: number, end: number, enc: Hl7Encoding, drop: Set<number>): void {
    const collector = this.#collector;
    collector.reset(enc);
    let pid: string | undefined;
    for (let i = start; i < end; i++) {
      const text = lines[i]?.text ?? '';
      if (pid === undefined && text.startsWith('PID')) pid = text;
      collector.segment(text);
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
    const when = hl7DateToIsoScan(mshDateTime(lines[start]?.text ?? '', enc));
    const referenceDate = when !== undefined && when.iso.length === 10 ? when.iso : this.#options.referenceDate;
    const scope = new MessageScope(enc, patient, pid3, this.#options, collector, referenceDate, this.#counter);
    for (let i = start; i < end; i++) {
      const line = lines[i];
      if (line === undefined) continue;
      const out = this.#scanner.segment(line.text, this.#plan(line.text), scope, collector.values);
      if (out === undefined) drop.add(i);
      else line.text = out;
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
  #envelope(line: Hl7Line | undefined, fallback: Hl7Encoding, drop: Set<number>, index: number): void {
    if (line === undefined || line.text === '' || line.text.startsWith('\x1C')) return;
    let enc = fallback;
    if (isHeader(line.text.slice(0, 3))) {
      try {
        enc = readEncoding(line.text);
      } catch {
        drop.add(index);
        return;
      }
    }
    const scope: Hl7FieldScope = { enc, patient: undefined, factory: this.#options.factory, identity: {}, known: {}, knownValues: NO_KNOWN, referenceDate: undefined, tally: this.#counter };
    const out = this.#scanner.segment(line.text, this.#plan(line.text), scope, NO_KNOWN);
    if (out === undefined) drop.add(index);
    else line.text = out;
  }
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

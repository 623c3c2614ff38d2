import type { PatientContext, PatientContextFactory } from '../../src/context/patient-context.ts';
import { DeidError } from '../../src/context/deid-error.ts';
import type { MethodApplier } from '../../src/profiles/method-applier.ts';
import type { ProfileRule } from '../../src/profiles/deid-profile.ts';
import { DeidTally } from '../../src/manifest/deid-tally.ts';
import { DEFAULT_ENCODING, readEncoding, type Hl7Encoding } from '../../src/hl7v2/hl7-encoding.ts';
import { parseHl7Document } from '../../src/hl7v2/hl7-document.ts';
import { hl7DateToIso } from '../../src/hl7v2/hl7-date.ts';
import type { Hl7Line } from '../../src/hl7v2/hl7-lines.ts';
import { joinHl7Lines } from '../../src/hl7v2/hl7-lines.ts';
import { resolvePatientFromPid, type Hl7IdentityRule } from '../../src/hl7v2/hl7-identity.ts';
import { collectKnownIdentifiersFromFields, knownIdentifierPlan } from './reference-known-identifiers.ts';
import { HL7_SAFE_HARBOR_TABLE, type FieldRule } from '../../src/hl7v2/hl7-safe-harbor-table.ts';
import { Hl7FieldDeidentifier, type Hl7FieldScope } from './reference-field-deidentifier.ts';
import { ReferenceKnownValues } from './reference-known-values.ts';
import { isHeader, joinSegmentFields, segmentFields } from '../../src/hl7v2/hl7-structure.ts';

interface Hl7DeidentifierOptions {
  readonly factory: PatientContextFactory;
  readonly methods: MethodApplier;
  readonly identity?: Hl7IdentityRule;
  /** ISO date for the over-89 rule when a message has no MSH-7 (the CLI passes today). */
  readonly referenceDate?: string;
}

interface Hl7DeidResult {
  /** The de-identified file; failed messages are left out (never passed through). */
  readonly text: string;
  readonly messages: number;
  readonly failed: number;
  readonly tally: DeidTally;
  /** One typed error per failed message or stray line, with its place (line, segment, field, message index). */
  readonly problems: readonly DeidError[];
}

/**
 * TEST ORACLE, not used by the product: the HL7 v2 de-identifier as it was before the fast path
 * (split every segment into field arrays, rules applied field by field). The equivalence test
 * (hl7-equivalence.test.ts) checks that {@link Hl7Deidentifier} gives byte-identical output.
 * It does not apply component rules (`PID-5.2`), which came with the fast path. It has its own
 * plain version of the malformed-shape rules (docs/deid/hl7v2.md, "Malformed and unusual shapes"):
 * names in any XPN component and their words (reference-known-identifiers.ts), kept fields checked
 * for known values held as words or digits (reference-known-values.ts), and the field rules
 * (reference-field-deidentifier.ts); it shares only pure tables with the fast path.
 *
 * De-identifies HL7 v2 files (docs/deid/hl7v2.md): per message, the patient is resolved from
 * PID-3 and every known segment goes through the Safe Harbor table and the profile; unknown and
 * Z-segments follow the profile's `unknown` policy. A message that cannot be parsed is left out
 * of the output and reported; the others are processed. Pure: text in, text out.
 */
export class ReferenceHl7Deidentifier {
  readonly #options: Hl7DeidentifierOptions;
  readonly #fields: Hl7FieldDeidentifier;
  readonly #overrides = new Map<string, ProfileRule>();
  /** Segment ids that have at least one path-specific field rule (`PID-5`), so others skip the look-ups. */
  readonly #overridden = new Set<string>();
  readonly #knownPlan = knownIdentifierPlan(HL7_SAFE_HARBOR_TABLE);

  constructor(options: Hl7DeidentifierOptions) {
    this.#options = options;
    this.#fields = new Hl7FieldDeidentifier(options.methods);
    for (const rule of options.methods.profile.profile.rules) if (rule.target.hl7 !== undefined) {
      this.#overrides.set(rule.target.hl7, rule);
      this.#overridden.add(rule.target.hl7.slice(0, 3));
    }
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
    for (const span of doc.messages) {
      if (!span.ok) {
        failed += 1;
        problems.push(span.error.place?.index === undefined ? new DeidError(span.error.code, span.error.message, { place: { ...span.error.place, index: span.index } }) : span.error);
        for (let i = span.start; i < span.end; i++) drop.add(i);
        continue;
      }
      lastEncoding = span.encoding;
      this.#message(doc.lines, span.start, span.end, span.encoding, tally, drop);
    }
    for (const i of doc.envelope) this.#envelope(doc.lines[i], lastEncoding, tally, drop, i);
    const kept: Hl7Line[] = doc.lines.filter((_, i) => !drop.has(i));
    return { text: joinHl7Lines(kept), messages: doc.messages.length, failed, tally, problems };
  }

  #message(lines: Hl7Line[], start: number, end: number, enc: Hl7Encoding, tally: DeidTally, drop: Set<number>): void {
    // Each segment is split into fields once; the splits serve identity, known identifiers and the rules.
    const split: string[][] = [];
    let pid: string[] | undefined;
    for (let i = start; i < end; i++) {
      const fields = segmentFields(lines[i]?.text ?? '', enc);
      if (pid === undefined && fields[0]?.startsWith('PID') === true) pid = fields;
      split.push(fields);
    }
    const identity = pid === undefined ? undefined : resolvePatientFromPid(pid, enc, this.#options.identity ?? {});
    const patient: PatientContext | undefined = identity === undefined ? undefined : this.#options.factory.forPatient(identity);
    const msh = split[0] ?? [''];
    const when = hl7DateToIso((msh[7] ?? '').split(enc.component)[0] ?? '');
    const known = collectKnownIdentifiersFromFields(split, enc, this.#knownPlan);
    const scope: Hl7FieldScope = {
      enc,
      patient,
      factory: this.#options.factory,
      identity: this.#options.identity ?? {},
      known,
      knownValues: new ReferenceKnownValues(known),
      referenceDate: when !== undefined && when.iso.length === 10 ? when.iso : this.#options.referenceDate,
      tally,
    };
    for (let i = start; i < end; i++) {
      const line = lines[i];
      if (line === undefined) continue;
      const out = this.#segment(line.text, scope, split[i - start]);
      if (out === undefined) drop.add(i);
      else line.text = out;
    }
  }

  /** Batch envelopes (FHS/BHS/BTS/FTS) go through their tables; framing and blank lines stay. */
  #envelope(line: Hl7Line | undefined, fallback: Hl7Encoding, tally: DeidTally, drop: Set<number>, index: number): void {
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
    const scope: Hl7FieldScope = { enc, patient: undefined, factory: this.#options.factory, identity: {}, known: {}, knownValues: new ReferenceKnownValues({}), referenceDate: undefined, tally };
    const out = this.#segment(line.text, scope);
    if (out === undefined) drop.add(index);
    else line.text = out;
  }

  /** One segment's new text, or undefined when the segment is removed. */
  #segment(text: string, scope: Hl7FieldScope, split?: string[]): string | undefined {
    const { enc } = scope;
    const id = text.slice(0, 3);
    const rules: readonly FieldRule[] | undefined = HL7_SAFE_HARBOR_TABLE.get(id);
    const star = this.#overrides.get(`${id}-*`);
    if (rules === undefined) {
      const keep = star === undefined ? this.#options.methods.profile.profile.unknown === 'keep' : star.method.kind === 'keep';
      if (!keep) scope.tally.add('other-id', `hl7.${id}:remove-segment`);
      return keep ? text : undefined;
    }
    if (star !== undefined && star.method.kind === 'redact') {
      scope.tally.add(star.category ?? 'other-id', `hl7.${id}:remove-segment`);
      return undefined;
    }
    const original: readonly string[] = split ?? segmentFields(text, enc);
    const fields = [...original];
    const first = isHeader(id) ? 3 : 1; // MSH-1 and MSH-2 are the delimiters themselves
    const overridden = this.#overridden.has(id);
    for (let n = first; n < fields.length; n++) {
      const raw = original[n] ?? '';
      const override = overridden ? this.#overrides.get(`${id}-${String(n)}`) : undefined;
      if (override !== undefined) {
        const out = raw === '' ? raw : this.#fields.withMethod(override.method, override.category ?? 'other-id', raw, scope);
        for (const span of this.#options.methods.takeTextSpans()) scope.tally.add(span.category, `hl7.${id}-${String(n)}:text`);
        if (out !== raw && override.method.kind !== 'text') scope.tally.add(override.category ?? 'other-id', override.id ?? `hl7.${id}-${String(n)}:${override.method.kind}`);
        fields[n] = out;
        continue;
      }
      fields[n] = this.#fields.field(id, n, raw, rules[n - 1] ?? { kind: 'remove' }, scope, original);
    }
    let same = true;
    for (let n = first; n < fields.length && same; n++) same = fields[n] === original[n];
    // Nothing changed and no trailing empty field to trim: the segment's own text, byte for byte.
    if (same && (fields.length <= first || fields[fields.length - 1] !== '')) return text;
    let last = fields.length;
    while (last > first && fields[last - 1] === '') last -= 1;
    return joinSegmentFields(fields.slice(0, Math.max(last, first)), enc);
  }
}

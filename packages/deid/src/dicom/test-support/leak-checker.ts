// Test support: collects every identifying value of an input's header and looks for it in output bytes.
import { decodeText, parseCharset, type DicomCharset } from '../charset.ts';
import type { DicomElement } from '../dataset.ts';
import { createActionTable } from '../deid/action-table.ts';
import type { ProfileOption } from '../profile/profile-row.ts';
import { readDicom } from '../read-dicom.ts';
import { formatTag, isPrivateTag } from '../tag.ts';
import { asciiOf } from '../values.ts';

export interface IdentifyingValue {
  readonly tag: string;
  readonly kind: string;
  readonly text: string;
  readonly bytes: readonly Buffer[];
}

const TEXT_VALUE = 0x0040a160;

/**
 * Every value of the input a de-identified output must not contain: PN values and their
 * components, dates (and times unless dates are only shifted), values of attributes whose
 * Table E.1-1 action is X/Z/D/U, private values, SR text values (unless Clean Structured Content
 * keeps cleaned text). Short values (< 4 characters) are skipped: they match by chance.
 */
export function identifyingValues(input: Uint8Array, options: readonly ProfileOption[]): IdentifyingValue[] {
  const file = readDicom(input);
  const table = createActionTable(options);
  const found: IdentifyingValue[] = [];
  // Whole values of attributes the profile keeps (Manufacturer, Code Meaning, Slice Thickness,
  // meta): the same text under an identifying tag is then no leak (e.g. Institution Name = Manufacturer).
  const retained = new Set<string>();
  const shifted = options.includes('retainLongitudinalModifiedDates');
  const add = (e: DicomElement, kind: string, text: string): void => {
    const t = text.trim();
    if (t.length < 4 || /^[\s0.^\\-]*$/.test(t) || /^0+\.?\d?$/.test(t)) return;
    found.push({ tag: formatTag(e.tag), kind, text: t, bytes: [Buffer.from(t, 'utf8'), Buffer.from(t, 'latin1')] });
  };
  const visit = (elements: readonly DicomElement[], cs: DicomCharset, inPrivate: boolean, inSr: boolean): void => {
    const own = elements.find((e) => e.tag === 0x00080005);
    const charset = own === undefined ? cs : parseCharset(asciiOf(own));
    for (const e of elements) {
      const priv = inPrivate || isPrivateTag(e.tag);
      if (e.items !== undefined) {
        for (const item of e.items) visit(item.elements, charset, priv, inSr || e.tag === 0x0040a730);
        continue;
      }
      if (e.value === undefined || e.value.byteLength > 1024 || e.tag >>> 16 === 0x0002) continue;
      const text = ['OB', 'OW', 'UN', 'US', 'SS', 'UL', 'SL', 'FL', 'FD', 'AT', 'OF', 'OD', 'OL', 'OV', 'SV', 'UV'].includes(e.vr)
        ? undefined
        : decodeText(e.value, charset).replace(/[\0 ]+$/, '');
      if (text === undefined) {
        if (
          priv &&
          e.vr === 'UN' &&
          e.value.byteLength >= 6 &&
          /^[\x20-\x7e]+$/.test(
            Buffer.from(e.value)
              .toString('latin1')
              .replace(/[\0 ]+$/, ''),
          )
        ) {
          add(e, 'private', Buffer.from(e.value).toString('latin1'));
        }
        continue;
      }
      if (priv) {
        add(e, 'private', text);
        continue;
      }
      if (e.vr === 'PN') {
        add(e, 'name', text);
        for (const part of text.split(/[\^=\\]/)) add(e, 'name', part);
        continue;
      }
      if (e.vr === 'DA' || e.vr === 'DT') {
        if (options.includes('retainLongitudinalFullDates')) continue;
        for (const d of text.match(/\d{8}/g) ?? []) add(e, 'date', d);
        continue;
      }
      if (e.vr === 'TM' && (shifted || options.includes('retainLongitudinalFullDates'))) {
        retained.add(text.trim()); // whole-day shifts keep times of day
        continue;
      }
      if (e.vr === 'TM') {
        const action = table.actionOf(e.tag)?.action;
        if (action !== undefined && action !== 'K' && /^\d{6}/.test(text)) add(e, 'time', text);
        continue;
      }
      if (e.tag === TEXT_VALUE && inSr && !options.includes('cleanStructuredContent')) {
        add(e, 'sr-text', text);
        continue;
      }
      const action = table.actionOf(e.tag)?.action;
      if (action === 'X' || action === 'Z' || action === 'D' || action === 'U') {
        for (const v of text.split('\\')) add(e, `action-${action}`, v);
      } else if (action === undefined) {
        for (const v of text.split('\\')) retained.add(v.trim());
      }
    }
  };
  visit(file.dataset, parseCharset(asciiOf(file.dataset.find((e) => e.tag === 0x00080005))), false, false);
  // Media Storage SOP Instance UID in the file meta (PS3.15 Table E.1-1: U).
  const mediaUid = asciiOf(file.meta.find((e) => e.tag === 0x00020003));
  for (const e of file.meta) if (e.tag !== 0x00020003) retained.add(asciiOf(e) ?? '');
  if (mediaUid !== undefined && mediaUid.length >= 4 && !options.includes('retainUids'))
    found.push({ tag: '0002,0003', kind: 'action-U', text: mediaUid, bytes: [Buffer.from(mediaUid, 'latin1')] });
  const keptText = [...retained].join('\n');
  return found.filter((v) => !keptText.includes(v.text));
}

/** The identifying values found in `output`, in any of their encodings. */
export function leaks(values: readonly IdentifyingValue[], output: Uint8Array): IdentifyingValue[] {
  const out = Buffer.from(output.buffer, output.byteOffset, output.byteLength);
  return values.filter((v) => v.bytes.some((b) => out.includes(b)));
}

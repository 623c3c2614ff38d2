// Test support: the HL7 v2 files of ../shared/corpus and a checker that collects the identifier
// values of a message straight from the spec's field positions (independently of the
// de-identifier's table) so tests can look for each of them in the output.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { decodeHl7Bytes } from './hl7-bytes.ts';
import { readEncoding } from './hl7-encoding.ts';
import { decodeHl7Text } from './hl7-escape.ts';
import { splitHl7Lines } from './hl7-lines.ts';
import { segmentFields } from './hl7-structure.ts';

export const CORPUS = path.resolve(import.meta.dirname, '../../../../../shared/corpus');

export function corpusHl7Files(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const p = path.join(dir, entry);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  for (const dir of readdirSync(CORPUS).filter((d) => d.startsWith('hl7v2-'))) walk(path.join(CORPUS, dir));
  return files;
}

export function readCorpusText(file: string): string {
  return decodeHl7Bytes(readFileSync(file)).text;
}

// Where identifiers of the patient, relatives, employers and insured live (HL7 v2.8), and which
// components hold them: `all` every component, or a list of 1-based component numbers.
const WHERE: Readonly<Record<string, readonly (readonly [number, readonly number[] | 'all'])[]>> = {
  PID: [[2, [1]], [3, [1]], [4, [1]], [5, 'all'], [6, 'all'], [7, [1]], [9, 'all'], [11, [1, 2, 3, 5, 9]], [13, [1, 4, 7, 12]], [14, [1, 4, 7, 12]], [18, [1]], [19, [1]], [20, [1]], [21, [1]], [23, 'all'], [29, [1]], [40, [1, 4, 7, 12]]],
  NK1: [[2, 'all'], [4, [1, 2, 3, 5]], [5, [1, 4, 7, 12]], [6, [1, 4, 7, 12]], [16, [1]], [30, 'all'], [31, [1, 4, 7]], [32, [1, 2, 3, 5]], [37, [1]]],
  GT1: [[2, [1]], [3, 'all'], [4, 'all'], [5, [1, 2, 3, 5]], [6, [1, 4, 7]], [7, [1, 4, 7]], [8, [1]], [12, [1]], [16, 'all'], [17, [1, 2, 3, 5]], [18, [1, 4, 7]], [19, [1]]],
  IN1: [[6, 'all'], [16, 'all'], [18, [1]], [19, [1, 2, 3, 5]], [36, [1]], [49, [1]]],
  IN2: [[1, [1]], [2, [1]], [6, [1]], [7, 'all'], [8, [1]], [49, 'all'], [50, [1, 4, 7]], [52, 'all'], [53, [1, 4, 7]], [61, [1]], [63, [1, 4, 7]]],
  MRG: [[1, [1]], [7, 'all']],
  PV1: [[19, [1]]],
};
const SKIP = /^(?:ADDRESS|CITY|STATE|ZIP|DOB|TEST|NAME|FIRST|MIDDLE|LAST NAME|MR|SS|DL|PI|PT|MD|DR|JR|SR|II|III|IV|ISO|L|M|F|U|USA|US|HOME|WORK|PRN|WPN|CP|PH|FX|BP|NET|Internet|Mr|Mrs|Ms)$/i;

// Values a limited data set keeps (45 CFR §164.514(e)(2)): dates, and town/city, county, ZIP of addresses.
const LDS_DATES: ReadonlySet<string> = new Set(['PID-7', 'PID-29', 'NK1-16', 'GT1-8', 'IN1-18']);
const LDS_ADDRESSES: ReadonlySet<string> = new Set(['PID-11', 'NK1-4', 'NK1-32', 'GT1-5', 'GT1-17', 'IN1-19']);

/**
 * Identifier values (decoded, at least 3 characters, not a code such as `MR` or `USA`) in a file;
 * with `limitedDataSet`, only those a limited data set must remove.
 */
export function identifierValues(text: string, limitedDataSet = false): string[] {
  return collect(text, limitedDataSet).direct;
}

/** The values a limited data set keeps (dates, city, county, ZIP). */
export function limitedDataSetKeptValues(text: string): string[] {
  return collect(text, true).kept;
}

function collect(text: string, limitedDataSet: boolean): { direct: string[]; kept: string[] } {
  const kept = new Set<string>();
  const values = new Set<string>();
  let enc = undefined as ReturnType<typeof readEncoding> | undefined;
  for (const line of splitHl7Lines(text)) {
    const id = line.text.slice(0, 3);
    if (id === 'MSH') {
      try {
        enc = readEncoding(line.text);
      } catch {
        enc = undefined;
      }
    }
    const where = WHERE[id];
    if (enc === undefined || where === undefined) continue;
    const fields = segmentFields(line.text, enc);
    for (const [n, comps] of where) {
      const at = `${id}-${String(n)}`;
      const keptDate = limitedDataSet && LDS_DATES.has(at);
      for (const rep of (fields[n] ?? '').split(enc.repetition)) {
        const cs = rep.split(enc.component);
        const wanted = comps === 'all' ? cs.map((_, i) => i + 1) : comps;
        for (const k of wanted) {
          const c = cs[k - 1] ?? '';
          const into = keptDate || (limitedDataSet && LDS_ADDRESSES.has(at) && (k === 3 || k === 5 || k === 9)) ? kept : values;
          for (const sub of c.split(enc.subcomponent)) {
            const v = decodeHl7Text(sub, enc).text.trim();
            const isDate = /^\d{8}/.test(v);
            const value = isDate ? v.slice(0, 8) : v;
            if (value.length >= 3 && !SKIP.test(value) && !/^\d{1,3}$/.test(value)) into.add(value);
          }
        }
      }
    }
  }
  return { direct: [...values], kept: [...kept] };
}

/** Whether `value` occurs in `output` as a whole word (case-insensitive), the way a reader would find it. */
export function leaks(output: string, value: string): boolean {
  const escaped = value.replace(/[.*+?^${}()|[\]\\/]/gu, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'iu').test(output);
}

import type { Hl7Encoding } from './hl7-encoding.ts';
import { DEFAULT_ENCODING } from './hl7-encoding.ts';

// Test data (not exported from the package): identifiers seeded into malformed and unusual shapes
// (docs/deid/hl7v2.md, "Malformed and unusual shapes"), for hl7-malformed-shapes.test.ts (none may
// survive) and hl7-equivalence.test.ts (the fast path and the reference agree on them).

export const SEEDS = ['95', 'Zebulon', 'Quixote', '123-45-6789', '123456789', '555-867-5309', '5558675309', '867-5309', '12 Main St', 'Gotham', '19500504', '1950-05-04', '05/04/1950', '0504', 'MRN98765'];
export const MSH = 'MSH|^~\\&|A|B|C|D|20240102030405||ADT^A01|M1|P|2.5';
export const PID = 'PID|1||MRN98765^^^H^MR||Quixote^Zebulon||19500504|M|||12 Main St^^Gotham^NY^10001||555-867-5309|||||ACC1|123-45-6789';
export const ID_ONLY = 'PID|1||MRN98765^^^H^MR';

/**
 * A shape and where its seeds lie: `seeded` names, for a case that leaked before the rules, the
 * place of the input (`PID-5.10`: segment, field, component; every segment with that id) that holds
 * each seed, so the test can show the seed is there before it shows it is gone.
 */
export interface MalformedCase {
  readonly name: string;
  readonly segments: readonly string[];
  readonly seeded?: readonly (readonly [place: string, seed: string])[];
}

export const MALFORMED_CASES: readonly MalformedCase[] = [
  // Names in shapes the collector did not read: past XPN-6, or whole in one component.
  { name: 'PID-5 name in component 10, named again in text', segments: [`${ID_ONLY}||^^^^^^^^^Zebulon Quixote`, 'OBX|1|TX|x||seen Zebulon today'], seeded: [['PID-5.10', 'Zebulon Quixote'], ['OBX-5', 'Zebulon']] },
  { name: 'PID-5 name whole in component 1, named by one word in text', segments: [`${ID_ONLY}||Zebulon Quixote`, 'OBX|1|TX|x||seen Quixote today', 'NTE|1||Mr. Quixote, Zebulon'], seeded: [['PID-5.1', 'Zebulon Quixote'], ['OBX-5', 'Quixote'], ['NTE-3', 'Zebulon']] },
  { name: 'NK1-2 name as "Family, Given"', segments: [ID_ONLY, 'NK1|1|Quixote, Zebulon|SPO', 'NTE|1||ask Zebulon'], seeded: [['NK1-2', 'Quixote'], ['NTE-3', 'Zebulon']] },
  // Known identifiers inside the text of fields the table keeps (codes, CE/CWE text, flags).
  { name: 'name in PV1-3 point of care text', segments: [MSH, PID, 'PV1|1|I|Zebulon Quixote^12 Main St'], seeded: [['PV1-3.1', 'Zebulon Quixote'], ['PV1-3.2', '12 Main St']] },
  { name: 'name in NTE-2 (source of comment, a code)', segments: [MSH, PID, 'NTE|1|Zebulon Quixote|ok'], seeded: [['NTE-2', 'Zebulon Quixote']] },
  { name: 'name in OBX-5 CE text', segments: [MSH, PID, 'OBX|1|CE|x||C1^Zebulon Quixote^L^C2^Zebulon^L^^^Quixote'], seeded: [['OBX-5.2', 'Zebulon Quixote'], ['OBX-5.9', 'Quixote']] },
  { name: 'name in OBX-5 CWE text, words reversed', segments: [MSH, PID, 'OBX|1|CWE|x||C1^Quixote Zebulon'], seeded: [['OBX-5.2', 'Zebulon']] },
  { name: 'name in AL1-3 and DG1-3 text', segments: [MSH, PID, 'AL1|1|DA|x^Zebulon Quixote', 'DG1|1|I10|x^Zebulon Quixote'], seeded: [['AL1-3.2', 'Zebulon Quixote'], ['DG1-3.2', 'Zebulon Quixote']] },
  { name: 'name in SPM-4 text and PV2-3', segments: [MSH, PID, 'SPM|1|S1|S2|BLD^Zebulon Quixote', 'PV2|x|x|Zebulon Quixote reason'], seeded: [['SPM-4.2', 'Zebulon Quixote'], ['PV2-3', 'Zebulon Quixote']] },
  { name: 'city in IN1-4, the insurer name', segments: [MSH, PID, 'IN1|1|P|I1|Gotham Ins'], seeded: [['IN1-4', 'Gotham']] },
  { name: 'phone and SSN in a kept field', segments: [MSH, PID, 'PV1|1|I|call 555-867-5309^ssn 123-45-6789'], seeded: [['PV1-3.1', '555-867-5309'], ['PV1-3.2', '123-45-6789']] },
  // Ids, phones and the birth date in kept fields written with other separators, or none.
  { name: 'birth date in kept fields, three spellings', segments: [MSH, PID, 'PV1|1|I|born 19500504^1950-05-04', 'OBX|1|NM|x||19500504', 'OBX|2|CE|x||x^DOB 05/04/1950'], seeded: [['PV1-3.1', '19500504'], ['PV1-3.2', '1950-05-04'], ['OBX-5', '19500504'], ['OBX-5.2', '05/04/1950']] },
  { name: 'phone and SSN as digits or grouped otherwise', segments: [MSH, PID, 'OBX|1|CE|x||(555) 867-5309', 'OBX|2|NM|x||5558675309', 'OBX|3|NM|x||123456789', 'PV1|1|I|local 867-5309'], seeded: [['OBX-5', '867-5309'], ['OBX-5', '5558675309'], ['OBX-5', '123456789'], ['PV1-3', '867-5309']] },
  // An age over 89 under a local code (the LOINC age codes were already handled).
  { name: 'age over 89 under a local OBX-3', segments: [MSH, PID, 'OBX|1|NM|AGE^Age^L||95|a', 'OBX|2|ST|^Patient age||95 years', 'OBX|3|NM|^PATIENT AgE||95'], seeded: [['OBX-5', '95']] },
  // OBX-2 that lies: NM or SN holding text.
  { name: 'OBX-5 NM holding text', segments: [MSH, PID, 'OBX|1|NM|x||Zebulon Quixote 555-867-5309'], seeded: [['OBX-5', 'Zebulon Quixote'], ['OBX-5', '555-867-5309']] },
  { name: 'OBX-5 SN holding text', segments: [MSH, PID, 'OBX|1|SN|x||^Zebulon Quixote'], seeded: [['OBX-5.2', 'Zebulon Quixote']] },
  // Address components kept as codes or regions.
  { name: 'XAD-7 (address type) holding the street', segments: [MSH, 'PID|1||MRN98765^^^H^MR||X^Y||||||^^^^^^12 Main St'], seeded: [['PID-11.7', '12 Main St']] },
  { name: 'XAD-4 (state) holding a name', segments: [MSH, 'PID|1||MRN98765^^^H^MR||X^Y||||||^^^Zebulon Quixote^^Gotham'], seeded: [['PID-11.4', 'Zebulon Quixote'], ['PID-11.6', 'Gotham']] },
  { name: 'XAD with subcomponents everywhere', segments: [MSH, 'PID|1||MRN98765^^^H^MR||X^Y||||||12 Main St&Main St&12^^Gotham&x^NY&Gotham^10001&Gotham^USA&Gotham^H&Gotham'], seeded: [['PID-11.4', 'Gotham'], ['PID-11.6', 'Gotham'], ['PID-11.7', 'Gotham']] },
  // Dates: TS-2 is the precision code; anything else there is removed.
  { name: 'birth date in TS component 2 and 3', segments: [MSH, 'PID|1||MRN98765^^^H^MR||X||1980^19500504^0504'], seeded: [['PID-7.2', '19500504'], ['PID-7.3', '0504']] },
  { name: 'offset with no time after a date', segments: [MSH, PID, 'EVN|A01|20240101120000-0500^S|1950-0504'], seeded: [['EVN-3', '0504']] },
  { name: 'EVN-3 with a second component', segments: [MSH, 'EVN|A01|20240101|19500504^0504', PID], seeded: [['EVN-3.2', '0504']] },
  // CX-5 is written back after the pseudonym: only as a code.
  { name: 'PID-3 type with subcomponents', segments: [MSH, 'PID|1||MRN98765&123-45-6789^Zebulon^Quixote^H&Zebulon^MR&Quixote^Gotham'], seeded: [['PID-3.5', 'Quixote']] },
  // Batch envelope comments (no patient's identifiers to check them against): removed by the table itself.
  { name: 'FHS-10, BHS-10, BTS-2, FTS-2 comments', segments: ['FHS|^~\\&|A|B|C|D|20240101||x|Zebulon Quixote 123-45-6789', 'BHS|^~\\&|A|B|C|D|20240101||x|Zebulon Quixote', MSH, PID, 'BTS|1|Zebulon Quixote 123-45-6789', 'FTS|1|Zebulon Quixote'] },
  // Shapes that were already handled: kept here so they stay so.
  { name: 'PID-5 with ten components', segments: [MSH, 'PID|1||MRN98765^^^H^MR||Quixote^Zebulon^^^^^^^^Zebulon Quixote'] },
  { name: 'PID-40, past the table', segments: [MSH, `PID|1||MRN98765^^^H^MR||X^Y${'|'.repeat(35)}Zebulon Quixote`] },
  { name: 'two PID segments, the second in an order group', segments: [MSH, PID, 'ORC|NW|P1|F1', 'PID|1||MRN2^^^H^MR||Quixote^Zebulon||19500504|M|||12 Main St^^Gotham||555-867-5309'] },
  { name: 'Z-segment and unknown segment', segments: [MSH, PID, 'ZPD|1|Zebulon Quixote|123-45-6789', 'PRT|1|AD|Zebulon Quixote'] },
  { name: 'free text hiding the name behind escapes', segments: [MSH, PID, 'OBX|1|FT|x||Zeb\\H\\ulon \\X5175\\ixote\\.br\\12 Main\\T\\St', 'NTE|1||Zeb\\N\\ulon Quix\\H\\ote'] },
  { name: 'OBX-2 missing, ED, lower case, with components', segments: [MSH, PID, 'OBX|1||x||Zebulon Quixote', 'OBX|2|ED|x||^TEXT^^A^Zebulon Quixote', 'OBX|3| tx |x||Zebulon Quixote', 'OBX|4|TX^ST|x||Zebulon Quixote'] },
  { name: 'dates in odd formats', segments: [MSH, 'PID|1||MRN98765^^^H^MR||X||1950-05-04', 'PV1|1|I||||||||||||||||||||||||||||||||||||||||||19500504123000+0500~195005'] },
  { name: 'repetitions past the first', segments: [MSH, 'PID|1||MRN98765^^^H^MR||X^Y~Quixote^Zebulon||19800101~19500504|||||~12 Main St^^Gotham||~555-867-5309|||||||~123-45-6789'] },
  { name: 'non-default delimiters', segments: ['MSH|$*%@|A|B|C|D|20240102030405||ADT$A01|M1|P|2.5', 'PID|1||MRN98765$$$H$MR||Quixote$Zebulon*Quixote$Zebulon||19500504|M|||12 Main St$$Gotham', 'OBX|1|TX|x||Zebulon ^ Quixote ~ 12 Main St'] },
  { name: 'v2.7 truncation character', segments: ['MSH|^~\\&#|A|B|C|D|20240102030405||ADT^A01|M1|P|2.7', 'PID|1||MRN98765^^^H^MR||Quixote#^Zebulon||19500504', 'OBX|1|TX|x||Zebulon Quixote#'] },
  { name: 'lower-case or padded segment id (the message is refused)', segments: [MSH, 'pid|1||MRN98765^^^H^MR||Quixote^Zebulon', 'PID |1||MRN98765^^^H^MR||Quixote^Zebulon'] },
  { name: 'a very long text field', segments: [MSH, PID, `NTE|1||${'abc '.repeat(20000)}Zebulon Quixote`] },
];

/** The raw text at `place` (`SEG-F`, `SEG-F.C`) of every segment with that id, one per line; MSH fields are not addressed. */
export function valueAt(segments: readonly string[], place: string, enc: Hl7Encoding = DEFAULT_ENCODING): string {
  const [, id = '', field = '0', comp] = /^([A-Z0-9]{3})-(\d+)(?:\.(\d+))?$/u.exec(place) ?? [];
  return segments
    .filter((s) => s.startsWith(`${id}${enc.field}`))
    .map((s) => {
      const value = s.split(enc.field)[Number(field)] ?? '';
      return comp === undefined ? value : (value.split(enc.component)[Number(comp) - 1] ?? '');
    })
    .join('\n');
}

/** A case's message, CR-terminated: its segments, after an MSH when they start with neither MSH nor FHS. */
export function malformedInput(segments: readonly string[]): string {
  return segments[0]?.startsWith('MSH') === true || segments[0]?.startsWith('FHS') === true ? segments.join('\r') : [MSH, ...segments].join('\r');
}

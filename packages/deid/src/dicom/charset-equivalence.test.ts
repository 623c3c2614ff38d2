import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baselineAvailable, extractBaseline, PRE_SPEED_WORK_COMMIT, type Baseline } from '../text/test-support/baseline.ts';
import { decodeText, type DicomCharset } from './charset.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

/** Every Specific Character Set the decoder knows (PS3.3 Table C.12-2 to C.12-5), single and with code extensions. */
const CHARSETS: readonly DicomCharset[] = [
  [''],
  ['ISO_IR 6'],
  ...['100', '101', '109', '110', '144', '127', '126', '138', '148', '203', '166', '13', '192'].map((n) => [`ISO_IR ${n}`]),
  ['GB18030'],
  ['GBK'],
  ['', 'ISO 2022 IR 87'],
  ['ISO 2022 IR 13', 'ISO 2022 IR 87'],
  ['', 'ISO 2022 IR 149'],
  ['', 'ISO 2022 IR 58'],
  ['ISO 2022 IR 100'],
  ['', 'ISO 2022 IR 87', 'ISO 2022 IR 159'],
];

// The ASCII fast path (no TextDecoder for a value of bytes below 0x80) must decode exactly as the
// decoders did, in every character set, for ASCII and for any other bytes.
describe.skipIf(!baselineAvailable(PRE_SPEED_WORK_COMMIT))('decodeText: same result as the baseline decoder', () => {
  let baseline: Baseline;
  let old: typeof decodeText;
  beforeAll(async () => {
    baseline = extractBaseline(PRE_SPEED_WORK_COMMIT);
    old = (await baseline.load<{ decodeText: typeof decodeText }>('dicom/charset.ts')).decodeText;
  });
  afterAll(() => {
    baseline.dispose();
  });

  it('on ASCII values and on arbitrary bytes with escape sequences (property)', () => {
    const ascii = fc.uint8Array({ min: 0, max: 0x7f, maxLength: 40 });
    const escapes = fc.constantFrom(
      ...['(B', '(J', ')I', '$B', '$(D', '$)C', '$)A', '-A', '-L'].map((e) => Buffer.from(`\x1b${e}`, 'latin1')),
    );
    const mixed = fc
      .array(fc.oneof(fc.uint8Array({ maxLength: 12 }), escapes), { maxLength: 6 })
      .map((parts) => new Uint8Array(Buffer.concat(parts)));
    fc.assert(
      fc.property(fc.constantFrom(...CHARSETS), fc.oneof(ascii, mixed), (charset, bytes) => {
        expect(decodeText(bytes, charset)).toBe(old(bytes, charset));
      }),
      { numRuns: RUNS * 10 },
    );
  });
});

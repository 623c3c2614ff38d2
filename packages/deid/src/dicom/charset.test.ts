import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeText, encodeText, parseCharset } from './charset.ts';
import { readDicom } from './read-dicom.ts';
import { readCorpus } from './test-support/corpus.ts';

function patientName(name: string): string {
  const file = readDicom(readCorpus(`dicom-pydicom-testfiles/${name}`));
  const cs = file.dataset.find((e) => e.tag === 0x00080005)?.value;
  const pn = file.dataset.find((e) => e.tag === 0x00100010)?.value;
  const charset = parseCharset(cs === undefined ? undefined : Buffer.from(cs).toString('latin1'));
  return decodeText(pn!, charset).replace(/[ \0]+$/, '');
}

describe('Specific Character Set (PS3.3 §C.12.1.1.2, PS3.5 §6.1)', () => {
  // Expected strings from the upstream FileInfo.txt of the charset files.
  it.each([
    ['charset_chrFren.dcm', 'Buc^Jérôme'],
    ['charset_chrGerm.dcm', 'Äneas^Rüdiger'],
    ['charset_chrRuss.dcm', 'Люкceмбypг'],
    ['charset_chrArab.dcm', 'قباني^لنزار'],
    ['charset_chrH31.dcm', 'Yamada^Tarou=山田^太郎=やまだ^たろう'],
    ['charset_chrH32.dcm', 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう'],
  ])('%s decodes', (file, expected) => {
    expect(patientName(file)).toBe(expected);
  });

  it('decodes KS X 1001 and GB18030 and UTF-8 values', () => {
    const ksx = Buffer.from('Hong^Gildong=\x1b$)C\xfb\xf3^\x1b$)C\xd1\xce\xd4\xd7', 'latin1');
    expect(decodeText(ksx, ['', 'ISO 2022 IR 149'])).toBe('Hong^Gildong=洪^吉洞');
    expect(decodeText(Buffer.from('Wang^XiaoDong=\xcd\xf5^\xd0\xa1\xb6\xab=', 'latin1'), ['GB18030'])).toBe('Wang^XiaoDong=王^小东=');
    expect(decodeText(Buffer.from('Wang^XiaoDong=王^小東=', 'utf8'), ['ISO_IR 192'])).toBe('Wang^XiaoDong=王^小東=');
  });

  it('encodes exactly what it decodes in single-byte sets and UTF-8 (property)', () => {
    for (const charset of [['ISO_IR 100'], ['ISO_IR 144'], ['ISO_IR 192'], ['ISO_IR 126']]) {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
          const bytes = encodeText(text, charset);
          if (bytes !== undefined) expect(decodeText(bytes, charset)).toBe(text);
        }),
        { numRuns: 100 },
      );
    }
  });

  it('refuses to encode non-ASCII in ISO 2022 and multi-byte sets (caller switches to UTF-8)', () => {
    expect(encodeText('山田', ['', 'ISO 2022 IR 87'])).toBeUndefined();
    expect(encodeText('王', ['GB18030'])).toBeUndefined();
    expect(Buffer.from(encodeText('PG-ABC', ['GB18030'])!).toString('latin1')).toBe('PG-ABC');
    expect(Buffer.from(encodeText('Jérôme', ['ISO_IR 100'])!).equals(Buffer.from('Jérôme', 'latin1'))).toBe(true);
  });
});

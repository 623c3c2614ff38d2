import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readBrat, writeBrat } from './read-brat.ts';
import { readI2b2 } from './read-i2b2.ts';
import { readPresidio } from './read-presidio.ts';

const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../../shared/corpus');

describe('gold readers', () => {
  it('reads every MEDDOCAN BRAT file of the corpus with offsets matching the annotated text', () => {
    const dir = path.join(corpus, 'notes-meddocan-es');
    const files = readdirSync(dir).filter((f) => f.endsWith('.ann'));
    expect(files.length).toBeGreaterThan(100);
    let spans = 0;
    for (const f of files) {
      const text = readFileSync(path.join(dir, f.replace(/\.ann$/, '.txt')), 'utf8');
      const ann = readFileSync(path.join(dir, f), 'utf8');
      const r = readBrat(f, text, ann);
      if (!r.ok) throw new Error(`${r.reason} at ${r.place}`);
      const doc = r.documents[0];
      const quoted = ann.split('\n').filter((l) => l.startsWith('T')).map((l) => l.split('\t')[2]);
      expect(doc?.spans.map((s) => text.slice(s.start, s.end))).toEqual(quoted);
      spans += doc?.spans.length ?? 0;
    }
    expect(spans).toBeGreaterThan(1000);
  });

  it('round-trips spans through writeBrat', () => {
    const text = 'Ana vive en Madrid.';
    const ann = writeBrat(text, [{ start: 0, end: 3, category: 'name' }, { start: 12, end: 18, category: 'geographic' }]);
    expect(ann).toBe('T1\tname 0 3\tAna\nT2\tgeographic 12 18\tMadrid\n');
    const r = readBrat('x', text, ann);
    expect(r.ok && r.documents[0]?.spans.map((s) => [s.start, s.end, s.label])).toEqual([[0, 3, 'name'], [12, 18, 'geographic']]);
    expect(readBrat('x', text, 'T1\tname 0 99\tAna')).toEqual({ ok: false, reason: 'offsets outside the text', place: 'x:1' });
  });

  it('reads the Presidio synthetic dataset of the corpus', () => {
    const r = readPresidio('presidio', readFileSync(path.join(corpus, 'text-presidio-synthetic-pii/synth_dataset_v2.json'), 'utf8'));
    if (!r.ok) throw new Error(r.reason);
    expect(r.documents.length).toBe(1500);
    const first = r.documents[0];
    expect(first?.spans.find((s) => s.label === 'ORGANIZATION')?.category).toBeNull();
    expect(first?.spans.find((s) => s.label === 'STREET_ADDRESS')?.category).toBe('geographic');
  });

  it('reads i2b2 2014 XML', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8" ?>
<deIdi2b2>
<TEXT><![CDATA[Record date: 2067-05-03
Mr. Ortiz is 93 years old, lives in Dover.]]></TEXT>
<TAGS>
<DATE id="P0" start="13" end="23" text="2067-05-03" TYPE="DATE" comment="" />
<NAME id="P1" start="28" end="33" text="Ortiz" TYPE="PATIENT" comment="" />
<AGE id="P2" start="37" end="39" text="93" TYPE="AGE" comment="" />
<LOCATION id="P3" start="60" end="65" text="Dover" TYPE="CITY" comment="" />
<PROFESSION id="P4" start="0" end="6" text="Record" TYPE="PROFESSION" comment="" />
</TAGS>
</deIdi2b2>`;
    const r = readI2b2('rec', xml);
    if (!r.ok) throw new Error(r.reason);
    const doc = r.documents[0];
    expect(doc?.spans.map((s) => [doc.text.slice(s.start, s.end), s.category])).toEqual([
      ['2067-05-03', 'date'],
      ['Ortiz', 'name'],
      ['93', 'date'],
      ['Dover', 'geographic'],
      ['Record', null],
    ]);
  });
});

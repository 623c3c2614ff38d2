import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { engines, found, testPatient } from './test-engine.ts';

// Over-redaction: eponyms, drugs and clinical words must survive (recall first, but usable text).
const CLINICAL_SENTENCES = [
  "History of Parkinson's disease, on carbidopa-levodopa.",
  'Hodgkin lymphoma in remission since chemotherapy.',
  "Early Alzheimer's dementia, started donepezil 5 mg.",
  "Crohn's disease flare treated with prednisone 40 mg daily.",
  'Positive Babinski sign on the left.',
  'Wilson disease ruled out; ceruloplasmin normal.',
  'Cushing syndrome workup negative.',
  'Graves disease treated with methimazole.',
  'Bell palsy improving on valacyclovir.',
  'Down syndrome with atrioventricular canal defect repaired.',
  'Barrett esophagus on pantoprazole 40 mg.',
  'Continue metformin 500 mg twice daily and lisinopril 10 mg.',
  'Chest X-ray shows no acute process.',
  'Patient denies chest pain, shortness of breath or fever.',
  'Foley catheter removed; voiding without difficulty.',
  'Glasgow Coma Scale 15 on arrival to the Emergency Department.',
  'Apgar scores 8 and 9.',
  'Streptococcus pneumoniae grew in blood cultures.',
  'Will continue current regimen and follow up in 2 weeks.',
  'Heart rate 72, blood pressure 120/80, temperature 98.6 F.',
  'Hemoglobin A1c 7.2% in 2019, improved from 8.1%.',
  'Patient identifies as heterosexual and is married.',
  'Social History: never smoker, occasional alcohol.',
  'Tylenol 650 mg every 6 hours as needed for pain.',
  'Raynaud phenomenon worse in cold weather.',
  'Trendelenburg position was used during the procedure.',
  'Keppra was restarted at the prior dose.',
  'Hyperlipidemia is controlled on diet alone.',
  'Troponin was negative twice.',
  'Allergies: Penicillin (rash).',
  'morse fall scale 45; started camila 0.35 mg daily.',
];

describe('clinical text de-identifier', () => {
  it.each(CLINICAL_SENTENCES)('keeps clinical text: %s', (sentence) => {
    expect(found(sentence)).toEqual([]);
  });

  it('replaces spans with category tags and reports offsets and detectors', () => {
    const text = 'Mr. Lopez (MRN 4455667) seen 3/4/21, call 617-555-0100.';
    const r = engines().tags.deidentify({ text });
    expect(r.text).toBe('Mr. [NAME] (MRN [MRN]) seen [DATE], call [PHONE].');
    expect(r.spans.map((s) => s.detector)).toEqual(['dictionary.title', 'regex.mrn', 'regex.date-numeric', 'regex.phone']);
    expect(Object.isFrozen(r)).toBe(true);
  });

  it('writes surrogates: consistent names, shifted dates in the same form, same-shape numbers', () => {
    const patient = testPatient();
    const text = 'Dr. Lopez saw Maria Lopez on 03/04/2021 and again March 4th, 2021. MRN 4455667.';
    const r = engines().surrogates.deidentify({ text, patient });
    expect(r.text).not.toContain('Lopez');
    expect(r.text).not.toContain('03/04/2021');
    expect(r.text).not.toContain('4455667');
    const again = engines().surrogates.deidentify({ text: 'Lopez, Maria', patient });
    const firstLopez = /Dr\. (\S+) saw/.exec(r.text)?.[1];
    expect(again.text.startsWith(`${firstLopez ?? '?'},`)).toBe(true);
    // dates: MM/DD/YYYY stays MM/DD/YYYY and both forms shift by the same number of days
    const numeric = /on (\d{2})\/(\d{2})\/(\d{4})/.exec(r.text);
    expect(numeric).not.toBeNull();
    const shifted = patient.shiftIsoDate('2021-03-04');
    expect(`${numeric?.[3] ?? ''}-${numeric?.[1] ?? ''}-${numeric?.[2] ?? ''}`).toBe(shifted);
    expect(r.text).toMatch(/again [A-Z][a-z]+ \d{1,2}(st|nd|rd|th), \d{4}\./);
    expect(r.text).toMatch(/MRN \d{7}\./);
  });

  it('falls back to tags when surrogates are asked without a patient context', () => {
    expect(engines().surrogates.deidentify({ text: 'Seen by Dr. Lopez.' }).text).toBe('Seen by Dr. [NAME].');
  });

  it('catches any dictionary name or generated identifier seeded into any sentence template', () => {
    const { dictionaries } = engines();
    const common = (w: string): boolean => dictionaries.english.has(w) || dictionaries.clinicalAllow.has(w);
    const firsts = [...dictionaries.firstNames].filter((n) => n.length >= 3 && /^[a-z]+$/.test(n) && !common(n));
    const lasts = [...dictionaries.surnames].filter((n) => n.length >= 3 && /^[a-z]+$/.test(n) && !common(n));
    const cap = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);
    const digits = (n: number): fc.Arbitrary<string> => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
    const identifier = fc.oneof(
      fc.tuple(fc.constantFrom(...firsts), fc.constantFrom(...lasts)).map(([f, l]) => ({ value: `${cap(f)} ${cap(l)}`, kind: 'name' })),
      fc.constantFrom(...lasts).map((l) => ({ value: `Dr. ${cap(l)}`, kind: 'name' })),
      fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.integer({ min: 1950, max: 2030 })).map(([m, d, y]) => ({ value: `${m}/${d}/${y}`, kind: 'date' })),
      fc.tuple(fc.constantFrom('January', 'Feb', 'March', 'Sept', 'December'), fc.integer({ min: 1, max: 28 }), fc.integer({ min: 1950, max: 2030 })).map(([m, d, y]) => ({ value: `${m} ${d}, ${y}`, kind: 'date' })),
      fc.tuple(digits(3), digits(3), digits(4)).map(([a, b, c]) => ({ value: `(${a}) ${b}-${c}`, kind: 'phone' })),
      fc.tuple(digits(3), digits(2), digits(4)).map(([a, b, c]) => ({ value: `${a}-${b}-${c}`, kind: 'ssn' })),
      digits(8).map((d) => ({ value: `MRN: ${d}`, kind: 'mrn' })),
      fc.tuple(fc.constantFrom(...lasts), fc.constantFrom('org', 'com', 'net')).map(([l, t]) => ({ value: `${l}.j@clinic-mail.${t}`, kind: 'email' })),
    );
    const templates = [
      (v: string) => `Patient seen today with ${v} present.`,
      (v: string) => v,
      (v: string) => `Follow-up arranged (${v}); continue metformin.`,
      (v: string) => `Contact: ${v}\nPlan: return in 2 weeks.`,
      (v: string) => `Per discussion with family, ${v}, the plan was agreed.`,
    ];
    fc.assert(
      fc.property(identifier, fc.integer({ min: 0, max: templates.length - 1 }), (id, t) => {
        const text = (templates[t] ?? ((v: string) => v))(id.value);
        const out = engines().tags.deidentify({ text }).text;
        const secret = id.value.replace(/^(?:Dr\. |MRN: )/, '');
        for (const part of secret.split(/[\s,]+/)) if (part.length > 2) expect(out).not.toContain(part);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 200) },
    );
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { engines } from '../test-engine.ts';
import { evaluate } from './metrics.ts';
import { readBrat } from './read-brat.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

// A discharge summary written for this project (synthetic, i2b2-style labels in BRAT): every
// Safe Harbor family in clinical layout (header block, "Last, First", signature, cc line).
describe('clinical fixtures', () => {
  it.each(['discharge-summary', 'progress-note'])('%s: every identifier found, nothing else', (name) => {
    const text = readFileSync(path.join(here, `fixtures/${name}.txt`), 'utf8');
    const parsed = readBrat(name, text, readFileSync(path.join(here, `fixtures/${name}.ann`), 'utf8'));
    if (!parsed.ok) throw new Error(parsed.reason);
    const report = evaluate(parsed.documents, (d) => engines().tags.detect(d.text));
    expect(report.misses.map((m) => `${m.label}:${m.text}`)).toEqual([]);
    expect(report.tokens.relaxed.recall).toBe(1);
    expect(report.tokens.relaxed.precision).toBe(1);
  });
});

describe('clinical fixture: discharge summary', () => {
  it('finds every identifier and nothing else', () => {
    const text = readFileSync(path.join(here, 'fixtures/discharge-summary.txt'), 'utf8');
    const parsed = readBrat('discharge-summary', text, readFileSync(path.join(here, 'fixtures/discharge-summary.ann'), 'utf8'));
    if (!parsed.ok) throw new Error(parsed.reason);
    const report = evaluate(parsed.documents, (d) => engines().tags.detect(d.text));
    expect(report.misses.map((m) => `${m.label}:${m.text}`)).toEqual([]);
    expect(report.tokens.relaxed.recall).toBe(1);
    expect(report.tokens.relaxed.precision).toBe(1);
    expect(report.tokens.strict.recall).toBeGreaterThan(0.95);
    const out = engines().tags.deidentify({ text }).text;
    expect(out).toContain("Parkinson's disease");
    expect(out).toContain('carbidopa-levodopa');
    expect(out).toContain('Patient: [NAME]');
  });
});

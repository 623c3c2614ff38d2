import { describe, expect, it } from 'vitest';
import { parseQeReport, parseTdxQuote } from './tdx-quote.ts';
import { loadQuote, withoutTrailer } from '../testing/tdx-vectors.ts';
import { vector, vectorText } from '../testing/vectors.ts';

interface Expected {
  file: string;
  encoding: string;
  parsed: Record<string, string | number | null | undefined>;
}

const expected = (JSON.parse(vectorText('tdx/EXPECTED_derived.json')) as { quotes: Expected[] }).quotes;
const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? new Uint8Array()).toString('hex');

describe('parseTdxQuote on the real quotes (EXPECTED_derived.json)', () => {
  it.each(expected.map((e) => [e.file, e] as const))('%s', (file, e) => {
    let bytes = loadQuote(file, e.encoding);
    if (file === 'go-tdx-guest_tdx_prod_quote_SPR_E4.dat') {
      expect(() => parseTdxQuote(bytes)).toThrow(/trailing bytes/);
      bytes = withoutTrailer(bytes);
    }
    const q = parseTdxQuote(bytes);
    const p = e.parsed;
    expect(q.version).toBe(p.version);
    expect(`0x${q.teeType.toString(16)}`).toBe(p.tee_type);
    expect(hex(q.qeVendorId)).toBe(p.qe_vendor_id);
    expect(hex(q.teeTcbSvn)).toBe(p.tee_tcb_svn);
    expect(hex(q.mrSeam)).toBe(p.mr_seam);
    expect(hex(q.tdAttributes)).toBe(p.td_attributes);
    expect(hex(q.xfam)).toBe(p.xfam);
    expect(hex(q.mrTd)).toBe(p.mr_td);
    expect(q.rtmrs.map(hex)).toEqual([p.rtmr0, p.rtmr1, p.rtmr2, p.rtmr3]);
    expect(hex(q.reportData)).toBe(p.report_data);
    if (p.body_type !== undefined) {
      expect(q.bodyType).toBe(p.body_type);
      expect(hex(q.mrServiceTd)).toBe(p.mr_servicetd);
    }
    const qe = parseQeReport(q.qeReport);
    expect(hex(qe.mrSigner)).toBe(p.qe_report_mrsigner);
    expect(qe.isvProdId).toBe(p.qe_isvprodid);
    expect(qe.isvSvn).toBe(p.qe_isvsvn);
  });

  it('refuses truncated quotes, other TEEs and unknown versions', () => {
    const good = vector('tdx/phala_tdx_quote.dat');
    expect(() => parseTdxQuote(good.subarray(0, 700))).toThrow(/past end/);
    const sgx = Uint8Array.from(good);
    sgx[4] = 0;
    expect(() => parseTdxQuote(sgx)).toThrow(/not a TDX quote/);
    const v3 = Uint8Array.from(good);
    v3[0] = 3;
    expect(() => parseTdxQuote(v3)).toThrow(/version/);
  });
});

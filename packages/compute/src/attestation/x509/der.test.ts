import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { children, derTime, oidText, readRoot, readTlv } from './der.ts';
import { parseCertificate, pemBlocks } from './certificate.ts';
import { parseCrl } from './crl.ts';
import { ComputeError } from '../../compute-error.ts';
import { vector, vectorText } from '../testing/vectors.ts';

function onlyComputeErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ComputeError);
  }
}

describe('DER walker (X.690)', () => {
  it('reads lengths in minimal form only and stays inside its bounds', () => {
    expect(readTlv(Uint8Array.from([0x04, 0x01, 0xaa]), 0)).toMatchObject({ tag: 4, start: 2, end: 3 });
    expect(() => readTlv(Uint8Array.from([0x04, 0x81, 0x01, 0xaa]), 0)).toThrow(/non-minimal/);
    expect(() => readTlv(Uint8Array.from([0x04, 0x80]), 0)).toThrow(/length form/);
    expect(() => readTlv(Uint8Array.from([0x04, 0x05, 0xaa]), 0)).toThrow(/past end/);
    expect(() => readRoot(Uint8Array.from([0x05, 0x00, 0x00]))).toThrow(/trailing/);
    const outer = readTlv(Uint8Array.from([0x30, 0x02, 0x04, 0x05, 0xaa]), 0);
    expect(() => children(outer)).toThrow(/past end/);
  });

  it('decodes OIDs and both time forms', () => {
    const oid = Uint8Array.from([0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x9c, 0x78, 0x01, 0x04]);
    expect(oidText(readRoot(oid))).toBe('1.3.6.1.4.1.3704.1.4');
    expect(derTime(readRoot(Uint8Array.from([0x17, 0x0d, ...Buffer.from('491231235959Z')])))).toEqual(new Date('2049-12-31T23:59:59Z'));
    expect(derTime(readRoot(Uint8Array.from([0x18, 0x0f, ...Buffer.from('99991231235959Z')])))).toEqual(new Date('9999-12-31T23:59:59Z'));
  });

  it('property: arbitrary bytes never throw anything but ComputeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        onlyComputeErrors(() => parseCertificate(bytes));
        onlyComputeErrors(() => parseCrl(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('property: mutated real certificates and CRLs parse or fail with ComputeError', () => {
    const ark = pemBlocks(vectorText('sev-snp/ask_ark_milan.pem'))[1] as Uint8Array;
    const crl = vector('tdx/go-tdx-guest_pckcrl');
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (at, x, which) => {
        const original = which ? ark : crl;
        const mutated = Uint8Array.from(original);
        const i = at % mutated.length;
        mutated[i] = (mutated[i] as number) ^ x;
        onlyComputeErrors(() => (which ? parseCertificate(mutated) : parseCrl(mutated)));
      }),
      { numRuns: 300 },
    );
  });

  it('reads the real CRLs: revoked serials and update times', () => {
    const genoa = parseCrl(vectorText('sev-snp/openpcc_amd_genoa_crl.pem'));
    expect([...genoa.revoked]).toEqual(['020001']);
    expect(genoa.nextUpdate).toEqual(new Date('2025-11-03T01:00:00Z'));
    expect(parseCrl(vector('tdx/go-tdx-guest_pckcrl')).revoked.size).toBe(44);
  });
});

import type { Vr } from '../vr.ts';

/**
 * A dummy value consistent with the VR, for action D (PS3.15 §E.1.1: "replace with a non-zero
 * length value that may be a dummy value and consistent with the VR"). Never derived from input.
 */
export function dummyValue(vr: Vr): Uint8Array {
  switch (vr) {
    case 'AE':
      return ascii('ANONYMOUS');
    case 'AS':
      return ascii('000Y');
    case 'CS':
      return ascii('ANONYMIZED');
    case 'DA':
      return ascii('19000101');
    case 'DT':
      return ascii('19000101000000');
    case 'TM':
      return ascii('000000');
    case 'DS':
    case 'IS':
      return ascii('0');
    case 'PN':
      return ascii('ANONYMIZED');
    case 'LO':
    case 'SH':
    case 'LT':
    case 'ST':
    case 'UC':
    case 'UT':
      return ascii('ANONYMIZED');
    case 'UR':
      return ascii('urn:phiguard:removed');
    case 'UI':
      return ascii('2.25.0');
    case 'FD':
    case 'SV':
    case 'UV':
    case 'OD':
    case 'OV':
      return new Uint8Array(8);
    case 'FL':
    case 'SL':
    case 'UL':
    case 'AT':
    case 'OF':
    case 'OL':
      return new Uint8Array(4);
    default:
      return new Uint8Array(2);
  }
}

function ascii(s: string): Uint8Array {
  return Buffer.from(s, 'latin1');
}

/** Value Representations of PS3.5 Table 6.2-1. */
export const VRS = [
  'AE',
  'AS',
  'AT',
  'CS',
  'DA',
  'DS',
  'DT',
  'FD',
  'FL',
  'IS',
  'LO',
  'LT',
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'PN',
  'SH',
  'SL',
  'SQ',
  'SS',
  'ST',
  'SV',
  'TM',
  'UC',
  'UI',
  'UL',
  'UN',
  'UR',
  'US',
  'UT',
  'UV',
] as const;
export type Vr = (typeof VRS)[number];

const VR_SET: ReadonlySet<string> = new Set(VRS);

export function isVr(value: string): value is Vr {
  return VR_SET.has(value);
}

/** VR by its two bytes (first << 8 | second), for the reader's hot path: no string per element. */
const VR_BY_CODE: readonly (Vr | undefined)[] = (() => {
  const table: (Vr | undefined)[] = new Array<Vr | undefined>(65536).fill(undefined);
  for (const vr of VRS) table[(vr.charCodeAt(0) << 8) | vr.charCodeAt(1)] = vr;
  return table;
})();

/** The VR spelled by two bytes, or undefined. */
export function vrOfBytes(first: number, second: number): Vr | undefined {
  return VR_BY_CODE[((first & 0xff) << 8) | (second & 0xff)];
}

/** VRs with a 2-byte reserved field and a 4-byte length in Explicit VR (PS3.5 §7.1.2, Table 7.1-1). */
const LONG_LENGTH: ReadonlySet<Vr> = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);

export function hasLongLength(vr: Vr): boolean {
  return LONG_LENGTH.has(vr);
}

/** Character string VRs whose value is text in the Specific Character Set (PS3.5 §6.1.2.3). */
const TEXT: ReadonlySet<Vr> = new Set(['SH', 'LO', 'ST', 'LT', 'PN', 'UC', 'UT']);
/** String VRs in the default repertoire only. */
const ASCII: ReadonlySet<Vr> = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'TM', 'UI', 'UR']);

export function isTextVr(vr: Vr): boolean {
  return TEXT.has(vr);
}

export function isStringVr(vr: Vr): boolean {
  return TEXT.has(vr) || ASCII.has(vr);
}

/** Byte size of one value of a binary VR that must be swapped in Big Endian (PS3.5 §7.3). */
export function binaryWordSize(vr: Vr): number {
  switch (vr) {
    case 'US':
    case 'SS':
    case 'OW':
      return 2;
    case 'UL':
    case 'SL':
    case 'FL':
    case 'OF':
    case 'OL':
    case 'AT':
      return 4;
    case 'FD':
    case 'OD':
    case 'SV':
    case 'UV':
    case 'OV':
      return 8;
    default:
      return 1;
  }
}

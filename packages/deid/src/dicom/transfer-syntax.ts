/** Transfer Syntax UIDs (PS3.5 §10, PS3.6 Table A-1) and how each encodes the data set. */
export interface DatasetEncoding {
  readonly littleEndian: boolean;
  readonly explicitVr: boolean;
}

export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99';
export const EXPLICIT_VR_BIG_ENDIAN = '1.2.840.10008.1.2.2';

/** Native (uncompressed) pixel data: the three uncompressed transfer syntaxes and Deflate (PS3.5 §8.2). */
export function isNativePixelSyntax(uid: string): boolean {
  return [IMPLICIT_VR_LITTLE_ENDIAN, EXPLICIT_VR_LITTLE_ENDIAN, DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, EXPLICIT_VR_BIG_ENDIAN].includes(uid);
}

export function isDeflated(uid: string): boolean {
  return uid === DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN;
}

/** Every other transfer syntax (JPEG, JPEG-LS, JPEG 2000, RLE, ...) is Explicit VR Little Endian (PS3.5 §A.4). */
export function encodingOf(uid: string): DatasetEncoding {
  if (uid === IMPLICIT_VR_LITTLE_ENDIAN) return { littleEndian: true, explicitVr: false };
  if (uid === EXPLICIT_VR_BIG_ENDIAN) return { littleEndian: false, explicitVr: true };
  return { littleEndian: true, explicitVr: true };
}

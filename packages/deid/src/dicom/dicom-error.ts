import { BaseError, type BaseErrorOptions } from '@phiguard/core';

export const DICOM_ERROR_CODES = [
  'truncated', // a header or value runs past the end of the bytes (PS3.5 §7.1)
  'bad-vr', // an Explicit VR element whose VR is not one of PS3.5 Table 6.2-1
  'length-past-end', // a value, item or sequence length points past its container
  'bad-preamble', // no DICM prefix and the bytes do not start like a bare data set (PS3.10 §7.1)
  'bad-item', // something other than an Item or a delimiter inside a sequence (PS3.5 §7.5)
  'bad-transfer-syntax', // file meta names no usable transfer syntax (PS3.10 §7.1)
  'deflate', // a Deflated Explicit VR data set does not inflate (PS3.5 §A.5)
  'too-deep', // sequences nested beyond the reader's limit
  'bad-value', // a value needed for de-identification cannot be read
] as const;
export type DicomErrorCode = (typeof DICOM_ERROR_CODES)[number];

/** Errors of the DICOM reader, writer and de-identifier. Places name file, tag and byte offset, never values. */
export class DicomError extends BaseError<DicomErrorCode> {
  constructor(code: DicomErrorCode, message: string, options: BaseErrorOptions = {}) {
    super(code, message, options);
  }
}

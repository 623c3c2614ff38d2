import { decodeTextBytes, type DecodedText } from '../text/text-bytes.ts';

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;

/**
 * The text of a `text/*` Attachment.data (FHIR R4 §2.24.0.3: base64 bytes, `contentType` a MIME
 * type with an optional `charset`, RFC 2046 §4.1.2), decoded in its own character set; undefined
 * for a charset this reader does not know (the caller removes the data: it cannot be checked).
 */
export function decodeAttachment(base64: string, contentType: string): DecodedText | undefined {
  try {
    return decodeTextBytes(Buffer.from(base64, 'base64'), CHARSET.exec(contentType)?.[1]);
  } catch {
    return undefined;
  }
}

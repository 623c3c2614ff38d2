// Standard base64 (RFC 4648 §4), decoded strictly: Node's decoder skips bad characters, so
// untrusted text is checked to be the canonical encoding of what it decodes to.
const SHAPE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The bytes of canonical standard base64 `text`, or undefined when it is anything else. */
export function decodeBase64Strict(text: string): Buffer | undefined {
  if (!SHAPE.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

// Test support: PEM blocks of any label (REPORT, CERTIFICATE, X509 CRL).
export function pemBlocksOf(text: string): Uint8Array[] {
  return [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)].map(
    (m) => new Uint8Array(Buffer.from((m[2] ?? '').replace(/\s+/g, ''), 'base64')),
  );
}

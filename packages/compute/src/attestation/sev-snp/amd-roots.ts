/**
 * AMD Root Keys pinned by SHA-256 of their DER (values from AMD KDS cert_chain, cross-checked
 * with virtee/sev builtin ark.pem; see ../shared/vectors/SOURCES.md "Trust anchors").
 */
export const AMD_ARK_FINGERPRINTS: ReadonlySet<string> = new Set([
  'sha256:69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd', // ARK-Milan
  'sha256:4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1', // ARK-Genoa
  'sha256:1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a', // ARK-Turin
]);

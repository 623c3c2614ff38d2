/** Intel SGX Root CA (production), SHA-256 of its DER (SOURCES.md "Trust anchors"; equals Phala dcap-qvl TrustedRootCA.der). */
export const INTEL_SGX_ROOT_FINGERPRINTS: ReadonlySet<string> = new Set([
  'sha256:44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3',
]);

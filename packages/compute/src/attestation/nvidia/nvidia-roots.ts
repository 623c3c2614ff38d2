/** NVIDIA Device Identity CA, SHA-256 of its DER (SOURCES.md "Trust anchors"; equals trustee nvidia_device_root.pem). */
export const NVIDIA_DEVICE_ROOT_FINGERPRINTS: ReadonlySet<string> = new Set([
  'sha256:102bf659d5419614c9d8e6aecebc80454eb26b1df6a769ac720b9a690b167b48',
]);

/**
 * The SEV-SNP certificate table a guest gets with an extended report (configfs-tsm `auxblob`,
 * formerly SNP_GET_EXT_REPORT): entries of GUID (16 bytes) ‖ offset (u32 LE) ‖ length (u32 LE),
 * ended by an all-zero entry; offsets count from the start of the table (GHCB spec v2
 * §4.1.8.1 "SNP Extended Guest Request", Table 9; GUIDs from the same section).
 */
export interface SnpCertTable {
  readonly vcek?: Uint8Array;
  readonly vlek?: Uint8Array;
  readonly ask?: Uint8Array;
  readonly ark?: Uint8Array;
}

const GUIDS = {
  vcek: '63da758d-e664-4564-adc5-f4b93be8accd',
  vlek: 'a8074bc2-a25a-483e-aae6-39c045a0b8a1',
  ask: '4ab7b379-bbac-4fe4-a02f-05aef327c782',
  ark: 'c0b406a4-a803-4952-9743-3fb6014cd0ae',
} as const;
type Slot = keyof typeof GUIDS;

/** RFC 4122 byte order (what go-sev-guest and virtee/sev read) and the mixed-endian EFI GUID order (Linux guid_t). */
function guidForms(guid: string): readonly string[] {
  const be = guid.replaceAll('-', '');
  const b = Buffer.from(be, 'hex');
  const le = Buffer.concat([
    Buffer.from(b.subarray(0, 4)).reverse(),
    Buffer.from(b.subarray(4, 6)).reverse(),
    Buffer.from(b.subarray(6, 8)).reverse(),
    b.subarray(8),
  ]);
  return [be, le.toString('hex')];
}

const SLOT_OF = new Map<string, Slot>(
  (Object.entries(GUIDS) as [Slot, string][]).flatMap(([slot, guid]) => guidForms(guid).map((form) => [form, slot] as const)),
);

const ENTRY = 24;
const MAX_ENTRIES = 64;

/**
 * Reads the table; unknown GUIDs are skipped (hosts may add their own). `undefined` when an entry
 * points outside the table or the terminator is missing: the caller treats that as malformed.
 */
export function parseSnpCertTable(table: Uint8Array): SnpCertTable | undefined {
  const out: Partial<Record<Slot, Uint8Array>> = {};
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  if (table.length === 0) return out;
  for (let i = 0; i < MAX_ENTRIES; i++) {
    const at = i * ENTRY;
    if (at + ENTRY > table.length) return undefined;
    const guid = Buffer.from(table.subarray(at, at + 16)).toString('hex');
    const offset = view.getUint32(at + 16, true);
    const length = view.getUint32(at + 20, true);
    if (/^0+$/.test(guid) && offset === 0 && length === 0) return out;
    if (offset + length > table.length || offset < at + ENTRY) return undefined;
    const slot = SLOT_OF.get(guid);
    if (slot !== undefined) out[slot] = table.subarray(offset, offset + length);
  }
  return undefined;
}

/** Builds a table (RFC 4122 GUID order) from certificates; for tests and tools that emulate a host. */
export function buildSnpCertTable(certs: SnpCertTable): Uint8Array {
  const entries = (Object.keys(GUIDS) as Slot[]).flatMap((slot) => (certs[slot] === undefined ? [] : [[slot, certs[slot]] as const]));
  const head = (entries.length + 1) * ENTRY;
  const total = head + entries.reduce((n, [, der]) => n + der.length, 0);
  const out = Buffer.alloc(total);
  let data = head;
  entries.forEach(([slot, der], i) => {
    Buffer.from(GUIDS[slot].replaceAll('-', ''), 'hex').copy(out, i * ENTRY);
    out.writeUInt32LE(data, i * ENTRY + 16);
    out.writeUInt32LE(der.length, i * ENTRY + 20);
    out.set(der, data);
    data += der.length;
  });
  return new Uint8Array(out);
}

// Development tool, not imported by the library: regenerates the comparison section of
// docs/deid/dicom.md by running PHIGuard, gdcmanon (GDCM, Debian libgdcm-tools) and reading the
// Microsoft DICOM anonymizer's expected output on the same inputs:
//   node packages/deid/src/dicom/tables/gen-comparison.ts
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPatientContextFactory } from '../../context/create-patient-context-factory.ts';
import { deidKeyFromSecret } from '../../context/deid-key.ts';
import type { DicomElement } from '../dataset.ts';
import { createActionTable } from '../deid/action-table.ts';
import { deidentifyDicom } from '../deidentify-dicom.ts';
import { readDicom } from '../read-dicom.ts';
import { formatTag, isPrivateTag } from '../tag.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../../..');
const corpus = path.resolve(repoRoot, '../shared/corpus');
const doc = path.join(repoRoot, 'docs/deid/dicom.md');

// GDCM 3.0.21 gdcmAnonymizer.cxx: BasicApplicationLevelConfidentialityProfileAttributes, "PS 3.15 - 2008 Table E.1-1".
const GDCM_2008 = new Set(
  '00080014 00080018 00080050 00080080 00080081 00080090 00080092 00080094 00081010 00081030 0008103E 00081040 00081048 00081050 00081060 00081070 00081080 00081155 00082111 00100010 00100020 00100030 00100032 00100040 00101000 00101001 00101010 00101020 00101030 00101090 00102160 00102180 001021B0 00104000 00181000 00181030 0020000D 0020000E 00200010 00200052 00200200 00204000 00400275 0040A124 0040A730 00880140 30060024 300600C2'.split(
    ' ',
  ),
);

const dictionary = new Map<string, { keyword: string; retired: boolean }>();
for (const line of readFileSync('/usr/share/libdcmtk17/dicom.dic', 'latin1').split('\n')) {
  const [t, , kw] = line.split('\t');
  const m = /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/i.exec(t ?? '');
  const [, g = '', e = ''] = m ?? [];
  if (m !== null && kw !== undefined) dictionary.set(`${g.toUpperCase()}${e.toUpperCase()}`, { keyword: kw.replace(/^RETIRED_/, ''), retired: kw.startsWith('RETIRED_') });
}

interface MsRule {
  readonly tag: string;
  readonly method: string;
}
const msRules = (JSON.parse(readFileSync(path.join(corpus, 'dicom-msft-anonymizer/configs/default-configuration.json'), 'utf8').replace(/^\uFEFF/, '')) as { rules: MsRule[] }).rules;

function msRule(hex: string, vr: string): MsRule | undefined {
  return msRules.find((r) => {
    if (r.tag === vr) return true;
    const t = r.tag.replace(/[(),]/g, '').toUpperCase();
    if (t.length !== 8) return false;
    return t.split('').every((ch, i) => ch === 'X' || ch === hex[i]);
  });
}

type Status = 'kept' | 'replaced' | 'emptied' | 'removed' | 'added' | '—' | 'refused';

function statuses(input: readonly DicomElement[], output: readonly DicomElement[]): Map<string, Status> {
  const out = new Map<string, Status>();
  const after = new Map(output.map((e) => [formatTag(e.tag).replace(',', ''), e]));
  for (const e of input) {
    const hex = formatTag(e.tag).replace(',', '');
    const o = after.get(hex);
    if (o === undefined) out.set(hex, 'removed');
    else if (o.items !== undefined || e.items !== undefined) out.set(hex, (o.items?.length ?? 0) === 0 && (e.items?.length ?? 0) > 0 ? 'emptied' : o.raw !== undefined && e.raw !== undefined && Buffer.compare(o.raw, e.raw) === 0 ? 'kept' : 'replaced');
    else if ((o.value?.byteLength ?? 0) === 0 && (e.value?.byteLength ?? 0) > 0) out.set(hex, 'emptied');
    else out.set(hex, Buffer.compare(Buffer.from(o.value ?? []), Buffer.from(e.value ?? [])) === 0 ? 'kept' : 'replaced');
  }
  for (const hex of after.keys()) if (!out.has(hex)) out.set(hex, 'added');
  return out;
}

const table = createActionTable([]);
function reason(hex: string, vr: string, ours: Status, gdcm: Status, ms: Status | undefined): string {
  const t = Number.parseInt(hex, 16) >>> 0;
  const row = table.rowOf(t);
  const action = row === undefined ? 'not listed (kept)' : row.basic;
  const parts: string[] = [];
  if (hex === '00100010' || hex === '00100020') parts.push('PHIGuard writes the patient pseudonym (Table E.1-1 Z/D allows a dummy value) so DICOM links with FHIR/HL7v2');
  else if (isPrivateTag(t) && ours === 'removed') parts.push(`private attributes: Table E.1-1 X unless Retain Safe Private${gdcm === 'kept' ? '; gdcmanon -e keeps private attributes' : ''}`);
  else if (['00120062', '00120063', '00120064', '00280303'].includes(hex)) parts.push('PS3.15 §E.1.1: PHIGuard records the method, CID 7050 codes and Longitudinal Temporal Information Modified');
  else if (vr === 'SQ' && ours === 'replaced' && row === undefined) parts.push('not listed itself: PHIGuard keeps the sequence and applies Table E.1-1 to the attributes inside its items (names, dates, UIDs)');
  else if (hex === '04000500') parts.push('gdcmanon stores the original values encrypted to its certificate (Encrypted Attributes Sequence, PS3.15 §E.1.1 re-identification)');
  if (gdcm !== ours && gdcm !== '—' && gdcm !== 'refused' && !isPrivateTag(t)) {
    const d = dictionary.get(hex);
    if (d?.retired === true && gdcm === 'removed') parts.push('gdcmanon removes every retired attribute (Anonymizer::RemoveRetired); PS3.15 does not');
    else if (!GDCM_2008.has(hex) && row !== undefined && gdcm === 'kept') parts.push(`not in GDCM's PS3.15-2008 list (48 attributes); Table E.1-1 rev2024b: ${action}`);
    else if (GDCM_2008.has(hex) && gdcm === 'emptied') parts.push(`gdcmanon empties every attribute of its list; Table E.1-1 rev2024b: ${action}${vr === 'UI' ? ' (PHIGuard: keyed 2.25 UID)' : ''}`);
    else if (gdcm === 'removed' && row === undefined) parts.push('gdcmanon removes it (group length or private); PHIGuard drops retired group lengths too');
    else if (GDCM_2008.has(hex) && gdcm === 'kept') parts.push(`empty in the input, so gdcmanon's emptying changes nothing; Table E.1-1 rev2024b: ${action}`);
    else if (vr === 'SQ' && gdcm === 'replaced') parts.push(`gdcmanon keeps the sequence and empties the attributes of its list inside the items; Table E.1-1 rev2024b: ${action}`);
    else if (gdcm === 'added') parts.push('gdcmanon adds its own attributes (Encrypted Attributes Sequence, Patient Identity Removed, method)');
  }
  if (ms !== undefined && ms !== ours && ms !== '—') {
    const rule = msRule(hex, vr);
    parts.push(`Microsoft rule ${rule === undefined ? '(none: kept)' : `${rule.tag} ${rule.method}`}; Table E.1-1 rev2024b: ${action}`);
  }
  return parts.length === 0 ? `Table E.1-1 rev2024b: ${action}` : parts.join('; ');
}

const key = deidKeyFromSecret(new Uint8Array(32).fill(3));
const factory = createPatientContextFactory(key);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'gen-comparison-'));
try {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(tmp, 'k.pem'), '-out', path.join(tmp, 'c.pem'), '-days', '1', '-subj', '/CN=x'], { stdio: 'ignore' });
  const inputs = [
    'dicom-msft-anonymizer/input/I290.dcm',
    'dicom-pydicom-testfiles/CT_small.dcm',
    'dicom-pydicom-testfiles/MR_small.dcm',
    'dicom-pydicom-testfiles/rtplan.dcm',
    'dicom-pydicom-testfiles/test-SR.dcm',
  ];
  const refused: string[] = [];
  const rows = new Map<string, { vr: string; ours: Set<Status>; gdcm: Set<Status>; ms: Set<Status>; files: Set<string> }>();
  for (const name of inputs) {
    const bytes = readFileSync(path.join(corpus, name));
    const input = readDicom(bytes).dataset;
    const r = deidentifyDicom(bytes, { key, factory, burnedIn: 'accept' });
    if (!r.ok) throw new Error('quarantined');
    const ours = statuses(input, readDicom(Buffer.concat(r.chunks)).dataset);
    const gOut = path.join(tmp, 'g.dcm');
    let gdcm: Map<string, Status> | undefined;
    try {
      execFileSync('gdcmanon', ['-e', '-c', path.join(tmp, 'c.pem'), '-i', path.join(corpus, name), '-o', gOut], { stdio: 'ignore' });
      gdcm = statuses(input, readDicom(readFileSync(gOut)).dataset);
    } catch {
      // gdcmanon refuses files that already carry encrypted-attribute markers (I290: EncryptedContentTransferSyntax).
      gdcm = undefined;
      refused.push(name);
    }
    const ms = name.includes('I290') ? statuses(input, readDicom(readFileSync(path.join(corpus, 'dicom-msft-anonymizer/expected/I290.dcm'))).dataset) : undefined;
    const all = new Set([...ours.keys(), ...(gdcm?.keys() ?? []), ...(ms?.keys() ?? [])]);
    for (const hex of all) {
      const o = ours.get(hex) ?? '—';
      const g: Status = gdcm === undefined ? 'refused' : (gdcm.get(hex) ?? '—');
      const m = ms?.get(hex);
      if ((o === g || g === 'refused') && (m === undefined || m === o)) continue;
      const vr = [...input, ...readDicom(Buffer.concat(r.chunks)).dataset].find((e) => formatTag(e.tag).replace(',', '') === hex)?.vr ?? '';
      const rowKey = isPrivateTag(Number.parseInt(hex, 16) >>> 0) ? 'PRIVATE' : hex;
      const row = rows.get(rowKey) ?? { vr, ours: new Set(), gdcm: new Set(), ms: new Set(), files: new Set() };
      row.ours.add(o);
      row.gdcm.add(g);
      if (m !== undefined) row.ms.add(m);
      row.files.add(path.basename(name));
      rows.set(rowKey, row);
    }
  }
  const lines = [
    '| Tag | Attribute | PHIGuard | gdcmanon | Microsoft (I290) | Why they differ |',
    '|---|---|---|---|---|---|',
    ...[...rows.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([rowKey, r]) => {
        const hex = rowKey === 'PRIVATE' ? '0009FFFF' : rowKey;
        const t = Number.parseInt(hex, 16) >>> 0;
        const name = isPrivateTag(t) ? 'all private attributes (odd groups)' : (dictionary.get(hex)?.keyword ?? '?');
        const o = [...r.ours].join('/');
        const gSet = [...r.gdcm].filter((x) => x !== 'refused' || r.gdcm.size === 1);
        const g = gSet.join('/');
        const m = r.ms.size === 0 ? '' : [...r.ms].join('/');
        const label = rowKey === 'PRIVATE' ? '(gggg,eeee) odd gggg' : `(${hex.slice(0, 4)},${hex.slice(4)})`;
        return `| ${label} | ${name} | ${o} | ${g} | ${m} | ${reason(hex, r.vr, [...r.ours][0] ?? '—', gSet[0] ?? '—', r.ms.size === 0 ? undefined : [...r.ms][0])} |`;
      }),
  ];
  const section = `<!-- comparison:start (generated by packages/deid/src/dicom/tables/gen-comparison.ts; do not edit) -->\nInputs: ${inputs.map((i) => `\`${i}\``).join(', ')}. PHIGuard: Basic Profile, no options. gdcmanon: GDCM 3.0.21 \`gdcmanon -e\`. Microsoft: the upstream expected output for I290 (default configuration). Status of each top-level attribute versus the input: kept, replaced, emptied, removed, added, — (absent in input and output). Only attributes where the tools differ are listed (${String(rows.size)}).${refused.length === 0 ? '' : ` gdcmanon refused ${refused.map((r) => `\`${path.basename(r)}\``).join(', ')} ("EncryptedContentTransferSyntax Attribute Patient is set": the file already carries encrypted-attribute markers), shown as refused.`}\n\n${lines.join('\n')}\n<!-- comparison:end -->`;
  const current = readFileSync(doc, 'utf8');
  const next = current.replace(/<!-- comparison:start[\s\S]*<!-- comparison:end -->/, section);
  writeFileSync(doc, next);
  process.stdout.write(`${String(rows.size)} differing attributes written to ${path.relative(repoRoot, doc)}\n`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

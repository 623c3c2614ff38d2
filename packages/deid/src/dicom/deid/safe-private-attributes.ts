import type { DicomElement } from '../dataset.ts';
import { binaryWordSize, isVr, type Vr } from '../vr.ts';
import type { SafePrivateElement } from './dicom-deid-options.ts';

/** [private creator, group, element byte (gggg,xxEE → EE), VR as listed ('' where the table gives none), meaning]. */
type Row = readonly [creator: string, group: number, element: number, vr: string, meaning: string];

/**
 * PS3.15 Table E.3.10-1 "Safe Private Attributes" (Retain Safe Private Option, §E.3.10, note 1),
 * transcribed in table order from the edition that carries 130 rows (Philips PET, Elscint, GEMS,
 * GEIIS, Philips MR, Siemens MR, Hologic, NeuroQuant, Siemens SC2000 ultrasound). The standard
 * calls it a sample list that vendors do not guarantee; later editions add rows (e.g. CP-1672),
 * which callers can add with {@link DicomDeidOptions.safePrivate}. Private elements are matched
 * by creator + group + element byte, since the block (xx) is assigned per file (PS3.5 §7.8.1).
 */
const TABLE_E3_10_1: readonly Row[] = [
  ['Philips PET Private Group', 0x7053, 0x00, 'DS', 'SUV Factor'],
  ['Philips PET Private Group', 0x7053, 0x09, 'DS', 'Activity Concentration Factor'],
  ['ELSCINT1', 0x00e1, 0x21, 'DS', 'DLP'],
  ['ELSCINT1', 0x00e1, 0x50, 'DS', 'Acquisition Duration'],
  ['ELSCINT1', 0x01e1, 0x26, 'CS', 'Phantom Type'],
  ['ELSCINT1', 0x01f1, 0x01, 'CS', 'Acquisition Type'],
  ['ELSCINT1', 0x01f1, 0x07, 'DS', 'Table Velocity'],
  ['ELSCINT1', 0x01f1, 0x26, 'DS', 'Pitch'],
  ['ELSCINT1', 0x01f1, 0x27, 'DS', 'Rotation Time'],
  ['GEMS_ACQU_01', 0x0019, 0x23, 'DS', 'Table Speed [mm/rotation]'],
  ['GEMS_ACQU_01', 0x0019, 0x24, 'DS', 'Mid Scan Time [sec]'],
  ['GEMS_ACQU_01', 0x0019, 0x27, 'DS', 'Rotation Speed (Gantry Period)'],
  ['GEMS_ACQU_01', 0x0019, 0x9e, 'LO', 'Internal Pulse Sequence Name'],
  ['GEMS_PARM_01', 0x0043, 0x27, 'SH', 'Scan Pitch Ratio'],
  ['GEMS_HELIOS_01', 0x0045, 0x01, 'SS', 'Number of Macro Rows in Detector'],
  ['GEMS_HELIOS_01', 0x0045, 0x02, 'FL', 'Macro width at ISO Center'],
  ['GEIIS PACS', 0x0903, 0x10, 'US', 'Reject Image Flag'],
  ['GEIIS PACS', 0x0903, 0x11, 'US', 'Significant Flag'],
  ['GEIIS PACS', 0x0903, 0x12, 'US', 'Confidential Flag'],
  ['Philips Imaging DD 001', 0x2001, 0x03, 'FL', 'Diffusion B-Factor'],
  ['Philips Imaging DD 001', 0x2001, 0x04, 'CS', 'Diffusion Direction'],
  ['SIEMENS MR HEADER', 0x0019, 0x0c, 'IS', 'B Value'],
  ['SIEMENS MR HEADER', 0x0019, 0x0d, 'CS', 'Diffusion Directionality'],
  ['SIEMENS MR HEADER', 0x0019, 0x0e, 'FD', 'Diffusion Gradient Direction'],
  ['SIEMENS MR HEADER', 0x0019, 0x27, 'FD', 'B Matrix'],
  ['GEMS_PARM_01', 0x0043, 0x39, 'IS', '1st value is B Value'],
  ['GEMS_PARM_01', 0x0043, 0x6f, 'DS', 'Scanner Table Entry + Gradient Coil Selected'],
  ['GEMS_SERS_01', 0x0025, 0x07, 'SL', 'Images in Series'],
  ['HOLOGIC, Inc.', 0x7e01, 0x01, 'LO', 'Codec Version'],
  ['HOLOGIC, Inc.', 0x7e01, 0x02, 'SH', 'Codec Content Type'],
  ['HOLOGIC, Inc.', 0x7e01, 0x10, 'SQ', 'High Resolution Data Sequence'],
  ['HOLOGIC, Inc.', 0x7e01, 0x11, 'SQ', 'Low Resolution Data Sequence'],
  ['HOLOGIC, Inc.', 0x7e01, 0x12, 'OB', 'Codec Content'],
  ['NQHeader', 0x0099, 0x01, 'UI', 'Version'],
  ['NQHeader', 0x0099, 0x02, 'UI', 'Analyzed Series UID'],
  ['NQHeader', 0x0099, 0x04, 'SS', 'Return Code'],
  ['NQHeader', 0x0099, 0x05, 'LT', 'Return Message'],
  ['NQHeader', 0x0099, 0x10, 'FL', 'MI'],
  ['NQHeader', 0x0099, 0x20, 'SH', 'Units'],
  ['NQHeader', 0x0099, 0x21, 'FL', 'ICV'],
  ['NQLeft', 0x0199, 0x01, 'FL', 'Left Cortical White Matter'],
  ['NQLeft', 0x0199, 0x02, 'FL', 'Left Cortical Gray Matter'],
  ['NQLeft', 0x0199, 0x03, 'FL', 'Left 3rd Ventricle'],
  ['NQLeft', 0x0199, 0x04, 'FL', 'Left 4th Ventricle'],
  ['NQLeft', 0x0199, 0x05, 'FL', 'Left 5th Ventricle'],
  ['NQLeft', 0x0199, 0x06, 'FL', 'Left Lateral Ventricle'],
  ['NQLeft', 0x0199, 0x07, 'FL', 'Left Inferior Lateral Ventricle'],
  ['NQLeft', 0x0199, 0x08, 'FL', 'Left Inferior CSF'],
  ['NQLeft', 0x0199, 0x09, 'FL', 'Left Cerebellar White Matter'],
  ['NQLeft', 0x0199, 0x0a, 'FL', 'Left Cerebellar Gray Matter'],
  ['NQLeft', 0x0199, 0x0b, 'FL', 'Left Hippocampus'],
  ['NQLeft', 0x0199, 0x0c, 'FL', 'Left Amygdala'],
  ['NQLeft', 0x0199, 0x0d, 'FL', 'Left Thalamus'],
  ['NQLeft', 0x0199, 0x0e, 'FL', 'Left Caudate'],
  ['NQLeft', 0x0199, 0x0f, 'FL', 'Left Putamen'],
  ['NQLeft', 0x0199, 0x10, 'FL', 'Left Pallidum'],
  ['NQLeft', 0x0199, 0x11, 'FL', 'Left Ventral Diencephalon'],
  ['NQLeft', 0x0199, 0x12, 'FL', 'Left Nucleus Accumbens'],
  ['NQLeft', 0x0199, 0x13, 'FL', 'Left Brain Stem'],
  ['NQLeft', 0x0199, 0x14, 'FL', 'Left Exterior CSF'],
  ['NQLeft', 0x0199, 0x15, 'FL', 'Left WM Hypo'],
  ['NQLeft', 0x0199, 0x16, 'FL', 'Left Other'],
  ['NQRight', 0x0299, 0x01, 'FL', 'Right Cortical White Matter'],
  ['NQRight', 0x0299, 0x02, 'FL', 'Right Cortical Gray Matter'],
  ['NQRight', 0x0299, 0x03, 'FL', 'Right 3rd Ventricle'],
  ['NQRight', 0x0299, 0x04, 'FL', 'Right 4th Ventricle'],
  ['NQRight', 0x0299, 0x05, 'FL', 'Right 5th Ventricle'],
  ['NQRight', 0x0299, 0x06, 'FL', 'Right Lateral Ventricle'],
  ['NQRight', 0x0299, 0x07, 'FL', 'Right Inferior Lateral Ventricle'],
  ['NQRight', 0x0299, 0x08, 'FL', 'Right Inferior CSF'],
  ['NQRight', 0x0299, 0x09, 'FL', 'Right Cerebellar White Matter'],
  ['NQRight', 0x0299, 0x0a, 'FL', 'Right Cerebellar Gray Matter'],
  ['NQRight', 0x0299, 0x0b, 'FL', 'Right Hippocampus'],
  ['NQRight', 0x0299, 0x0c, 'FL', 'Right Amygdala'],
  ['NQRight', 0x0299, 0x0d, 'FL', 'Right Thalamus'],
  ['NQRight', 0x0299, 0x0e, 'FL', 'Right Caudate'],
  ['NQRight', 0x0299, 0x0f, 'FL', 'Right Putamen'],
  ['NQRight', 0x0299, 0x10, 'FL', 'Right Pallidum'],
  ['NQRight', 0x0299, 0x11, 'FL', 'Right Ventral Diencephalon'],
  ['NQRight', 0x0299, 0x12, 'FL', 'Right Nucleus Accumbens'],
  ['NQRight', 0x0299, 0x13, 'FL', 'Right Brain Stem'],
  ['NQRight', 0x0299, 0x14, 'FL', 'Right Exterior CSF'],
  ['NQRight', 0x0299, 0x15, 'FL', 'Right WM Hypo'],
  ['NQRight', 0x0299, 0x16, 'FL', 'Right Other'],
  ['Philips MR Imaging DD 001', 0x2005, 0x0d, 'FL', 'Scale Intercept'],
  ['Philips MR Imaging DD 001', 0x2005, 0x0e, 'FL', 'Scale Slope'],
  ['SIEMENS Ultrasound SC2000', 0x0119, 0x00, 'LO', 'Acoustic Meta Information Version'],
  ['SIEMENS Ultrasound SC2000', 0x0119, 0x01, 'OB', 'Common Acoustic Meta Information'],
  ['SIEMENS Ultrasound SC2000', 0x0119, 0x02, 'SQ', 'Multi Stream Sequence'],
  ['SIEMENS Ultrasound SC2000', 0x0119, 0x03, 'SQ', 'Acoustic Data Sequence'],
  ['SIEMENS Ultrasound SC2000', 0x0119, 0x04, 'OB', 'Per Transaction Acoustic Control Information'],
  ['SIEMENS Ultrasound SC2000', 0x0119, 0x05, 'UL', 'Acoustic Data Offset'],
  ['SIEMENS Ultrasound SC2000', 0x0119, 0x06, 'UL', 'Acoustic Data Length'],
  ['SIEMENS Ultrasound SC2000', 0x0119, 0x07, 'UL', 'Footer Offset'],
  ['SIEMENS Ultrasound SC2000', 0x0119, 0x08, 'UL', 'Footer Length'],
  ['SIEMENS Ultrasound SC2000', 0x0119, 0x09, 'SS', 'Acoustic Stream Number'],
  ['SIEMENS Ultrasound SC2000', 0x0119, 0x10, 'SH', 'Acoustic Stream Type'],
  ['SIEMENS Ultrasound SC2000', 0x0119, 0x11, '', 'Stage Timer Time'],
  ['SIEMENS Ultrasound SC2000', 0x0119, 0x12, '', 'Stop Watch Time'],
  ['SIEMENS Ultrasound SC2000', 0x0119, 0x13, 'IS', 'Volume Rate'],
  ['SIEMENS Ultrasound SC2000', 0x0119, 0x21, 'SH', ''],
  ['SIEMENS Ultrasound SC2000', 0x0129, 0x00, 'SQ', 'MPR View Sequence'],
  ['SIEMENS Ultrasound SC2000', 0x0129, 0x02, 'UI', 'Bookmark UID'],
  ['SIEMENS Ultrasound SC2000', 0x0129, 0x03, '', 'Plane Origin Vector'],
  ['SIEMENS Ultrasound SC2000', 0x0129, 0x04, '', 'Row Vector'],
  ['SIEMENS Ultrasound SC2000', 0x0129, 0x05, '', 'Column Vector'],
  ['SIEMENS Ultrasound SC2000', 0x0129, 0x06, 'SQ', 'Visualization Sequence'],
  ['SIEMENS Ultrasound SC2000', 0x0129, 0x07, 'UI', 'Bookmark UID'],
  ['SIEMENS Ultrasound SC2000', 0x0129, 0x08, 'OB', 'Visualization Information'],
  ['SIEMENS Ultrasound SC2000', 0x0129, 0x09, 'SQ', 'Application State Sequence'],
  ['SIEMENS Ultrasound SC2000', 0x0129, 0x10, 'OB', 'Application State Information'],
  ['SIEMENS Ultrasound SC2000', 0x0129, 0x11, 'SQ', 'Referenced Bookmark Sequence'],
  ['SIEMENS Ultrasound SC2000', 0x0129, 0x12, 'UI', 'Referenced Bookmark UID'],
  ['SIEMENS Ultrasound SC2000', 0x0129, 0x20, 'SQ', 'Cine Parameters Sequence'],
  ['SIEMENS Ultrasound SC2000', 0x0129, 0x21, 'OB', 'Cine Parameters Schema'],
  ['SIEMENS Ultrasound SC2000', 0x0129, 0x22, 'OB', 'Values of Cine Parameters'],
  ['SIEMENS Ultrasound SC2000', 0x0129, 0x29, 'OB', ''],
  ['SIEMENS Ultrasound SC2000', 0x0129, 0x30, 'CS', 'Raw Data Object Type'],
  ['SIEMENS Ultrasound SC2000', 0x0139, 0x01, 'SL', 'Physio Capture ROI'],
  ['SIEMENS Ultrasound SC2000', 0x0149, 0x01, 'FD', 'Vector of BROI Points'],
  ['SIEMENS Ultrasound SC2000', 0x0149, 0x02, 'FD', 'Start/End Timestamps of Strip Stream'],
  ['SIEMENS Ultrasound SC2000', 0x0149, 0x03, 'FD', 'Timestamps of Visible R-waves'],
  ['SIEMENS Ultrasound SC2000', 0x7fd1, 0x01, 'OB', 'Acoustic Image and Footer Data'],
  ['SIEMENS Ultrasound SC2000', 0x7fd1, 0x09, 'UI', 'Volume Version ID'],
  ['SIEMENS Ultrasound SC2000', 0x7fd1, 0x10, 'OB', 'Volume Payload'],
  ['SIEMENS Ultrasound SC2000', 0x7fd1, 0x11, 'OB', 'After Payload'],
  ['SIEMENS SYNGO ULTRA-SOUND TOYON DATA STREAMING', 0x7fd1, 0x01, 'OB', 'Padding'],
  ['SIEMENS SYNGO ULTRA-SOUND TOYON DATA STREAMING', 0x7fd1, 0x09, 'UI', 'Version ID'],
  ['SIEMENS SYNGO ULTRA-SOUND TOYON DATA STREAMING', 0x7fd1, 0x10, 'OB', 'Volume Payload'],
  ['SIEMENS SYNGO ULTRA-SOUND TOYON DATA STREAMING', 0x7fd1, 0x11, 'OB', 'After Payload'],
];

/** Table E.3.10-1 as {@link SafePrivateElement}s: the default list of the Retain Safe Private Option. */
export const SAFE_PRIVATE_ATTRIBUTES: readonly SafePrivateElement[] = TABLE_E3_10_1.map(([creator, group, element, vr]) => ({
  creator,
  group,
  element,
  ...(isVr(vr) ? { vr } : {}),
}));

/** A lookup key: creator (padding trimmed), group and element byte. */
export function safePrivateKey(creator: string, group: number, element: number): string {
  return `${creator}|${String(group)}|${String(element)}`;
}

/**
 * Key → listed VR (undefined where none is listed) for a list, for one lookup per private
 * element. A key listed twice keeps a VR that either entry gives (a site list cannot loosen it).
 */
export function safePrivateSet(list: readonly SafePrivateElement[]): ReadonlyMap<string, Vr | undefined> {
  const out = new Map<string, Vr | undefined>();
  for (const s of list) {
    const key = safePrivateKey(s.creator.trim(), s.group, s.element);
    if (s.vr !== undefined || !out.has(key)) out.set(key, s.vr ?? out.get(key));
  }
  return out;
}

/** Value syntax of the string VRs a number or code must match (PS3.5 Table 6.2-1). */
const SYNTAX: Partial<Record<Vr, RegExp>> = {
  DS: /^[0-9+\-.eE \\]*$/,
  IS: /^[0-9+\- \\]*$/,
  CS: /^[A-Z0-9 _\\]*$/,
  UI: /^[0-9.\\\0]*$/,
};

/**
 * Whether a private element matching a safe row has the shape the row lists (PS3.15 §E.3.10
 * keeps what the table describes, nothing else): the listed VR, or UN whose bytes fit it (an
 * Implicit VR file, PS3.5 §6.2.2); numbers and codes must match their VR's syntax; a sequence
 * only where a sequence is listed. Text VRs (LO, SH, LT) cannot be checked beyond that.
 */
export function fitsListedVr(listed: Vr | undefined, e: DicomElement): boolean {
  if (listed === undefined) return true;
  if (e.vr !== listed && e.vr !== 'UN') return false;
  if (listed === 'SQ') return e.items !== undefined || (e.value?.byteLength ?? 0) === 0;
  if (e.items !== undefined || e.fragments !== undefined) return false;
  const value = e.value ?? new Uint8Array(0);
  const syntax = SYNTAX[listed];
  if (syntax !== undefined) return syntax.test(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1'));
  return value.byteLength % binaryWordSize(listed) === 0;
}

import type { ProfileRow } from '../profile/profile-row.ts';

/**
 * Attributes Table E.1-1 leaves out although they carry free text about the patient, added so
 * they fail closed wherever they appear (PHIGuard's own rows, not the standard's):
 * - Text Value (0040,A160) is the value of a TEXT content item (PS3.3 §C.17.3.2.1). The table
 *   only lists the sequences that hold content items (Content Sequence D, Acquisition Context
 *   Sequence X/Z, ...); an X/Z sequence is kept with its items walked (see action-table.ts), and a
 *   Text Value can sit outside them, so it takes Content Sequence's actions itself.
 * - Unformatted Text Value (0070,0006), the text of a presentation state's text object (PS3.3
 *   §C.10.5) and of a waveform annotation (Waveform Annotation Sequence, PS3.3 §C.10.10, not in
 *   the table: ECG annotations typed by staff), takes Graphic Annotation Sequence's actions (D;
 *   C under Clean Graphics) wherever it appears.
 * - Document Title (0042,0010), Type 2 in the Encapsulated Document Module (PS3.3 §C.24.2): the
 *   document itself is D; its title often names the patient. Z, cleaned as a descriptor.
 * - Overlay Description (60xx,0022) and Overlay Label (60xx,1500) (PS3.3 §C.9.2) describe the
 *   overlay whose bitmap and comments are X (C under Clean Graphics); they follow them.
 * - Encrypted Attributes Sequence (0400,0500) holds an earlier de-identifier's original values,
 *   encrypted for its recipients (PS3.15 §E.1.1, PS3.3 §C.12.1.1.4.1): PHI for a key holder
 *   PHIGuard does not know, and not checkably encrypted. X (re-identification is the linkage vault's).
 * - Comments a person types about the patient or the procedure, all Type 3 (so X is valid): on the
 *   scheduled procedure step (0040,0400; Scheduled Procedure Step Sequence, PS3.3 §C.4.10), the
 *   patient's performance of a visual field test (0024,0044, §C.8.26.2), a cancelled procedure step
 *   (0074,1238, §C.30.1), an RT treatment's status and override (3008,0202, 3008,0066, §C.8.8.22)
 *   and setup image (300A,0402), a calculation (0022,112C), a SOP authorization (0100,0424,
 *   §C.12.1) and an assertion (0044,0106). X; C (the text engine) under Clean Descriptors, as
 *   the table does for Acquisition Comments and Image Comments.
 * - Content Description (0070,0081), Type 2 in the Content Identification Macro (PS3.3 §10.9: a
 *   segmentation, presentation state or measurement report described by whoever made it), beside
 *   Content Creator's Name, which the table lists: Z, cleaned as a descriptor.
 * - The File-set Identification Module of a DICOMDIR (PS3.3 §F.3.2.1): CD burners put the
 *   patient's name, ID or study date in the File-set ID (0004,1130, `WHITFIELD_H`), Type 2: Z.
 *   The File-set Descriptor File ID (0004,1141, Type 3) points at a free-text README that is
 *   neither de-identified nor carried to the output: X, with its character set (0004,1142, 1C on it).
 */
export const SUPPLEMENTARY_ROWS: readonly ProfileRow[] = [
  { tag: '0040,A160', name: 'Text Value', basic: 'D', options: { cleanStructuredContent: 'C' } },
  { tag: '0070,0006', name: 'Unformatted Text Value', basic: 'D', options: { cleanGraphics: 'C' } },
  { tag: '0042,0010', name: 'Document Title', basic: 'Z', options: { cleanDescriptors: 'C' } },
  { tag: '60XX,0022', name: 'Overlay Description', basic: 'X', options: { cleanGraphics: 'C' } },
  { tag: '60XX,1500', name: 'Overlay Label', basic: 'X', options: { cleanGraphics: 'C' } },
  { tag: '0400,0500', name: 'Encrypted Attributes Sequence', basic: 'X' },
  { tag: '0040,0400', name: 'Comments on the Scheduled Procedure Step', basic: 'X', options: { cleanDescriptors: 'C' } },
  { tag: '0024,0044', name: "Comments on Patient's Performance of Visual Field", basic: 'X', options: { cleanDescriptors: 'C' } },
  { tag: '0074,1238', name: 'Reason for Cancellation', basic: 'X', options: { cleanDescriptors: 'C' } },
  { tag: '3008,0202', name: 'Treatment Status Comment', basic: 'X', options: { cleanDescriptors: 'C' } },
  { tag: '3008,0066', name: 'Override Reason', basic: 'X', options: { cleanDescriptors: 'C' } },
  { tag: '300A,0402', name: 'Setup Image Comment', basic: 'X', options: { cleanDescriptors: 'C' } },
  { tag: '0022,112C', name: 'Calculation Comment', basic: 'X', options: { cleanDescriptors: 'C' } },
  { tag: '0100,0424', name: 'SOP Authorization Comment', basic: 'X', options: { cleanDescriptors: 'C' } },
  { tag: '0044,0106', name: 'Assertion Comments', basic: 'X', options: { cleanDescriptors: 'C' } },
  { tag: '0070,0081', name: 'Content Description', basic: 'Z', options: { cleanDescriptors: 'C' } },
  { tag: '0004,1130', name: 'File-set ID', basic: 'Z' },
  { tag: '0004,1141', name: 'File-set Descriptor File ID', basic: 'X' },
  { tag: '0004,1142', name: 'Specific Character Set of File-set Descriptor File', basic: 'X' },
];

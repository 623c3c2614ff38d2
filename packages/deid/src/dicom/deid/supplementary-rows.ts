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
 */
export const SUPPLEMENTARY_ROWS: readonly ProfileRow[] = [
  { tag: '0040,A160', name: 'Text Value', basic: 'D', options: { cleanStructuredContent: 'C' } },
  { tag: '0070,0006', name: 'Unformatted Text Value', basic: 'D', options: { cleanGraphics: 'C' } },
  { tag: '0042,0010', name: 'Document Title', basic: 'Z', options: { cleanDescriptors: 'C' } },
  { tag: '60XX,0022', name: 'Overlay Description', basic: 'X', options: { cleanGraphics: 'C' } },
  { tag: '60XX,1500', name: 'Overlay Label', basic: 'X', options: { cleanGraphics: 'C' } },
  { tag: '0400,0500', name: 'Encrypted Attributes Sequence', basic: 'X' },
];

import { KnownIdentifiersTextDeidentifier, createRecordTextDeidentifier, type TextDeidentifier } from '@phiguard/deid';
import { BatchError } from './batch-error.ts';

/**
 * The engine behind `--text-engine` (deid-options.ts), for the free text of FHIR and HL7 v2:
 * `clinical` (the default, and the server's) the clinical engine and then the record's known
 * identifiers on every text (`createRecordTextDeidentifier`: Safe Harbor covers a relative's name, a
 * phone number or a date that no field lists); `known` the known identifiers only, for text that
 * was de-identified before (not Safe Harbor on its own).
 */
export function freeTextEngine(kind: string): TextDeidentifier {
  if (kind === 'known') return new KnownIdentifiersTextDeidentifier();
  if (kind !== 'clinical') throw new BatchError('bad-option', '--text-engine must be known or clinical', { place: { field: '--text-engine' } });
  return createRecordTextDeidentifier();
}

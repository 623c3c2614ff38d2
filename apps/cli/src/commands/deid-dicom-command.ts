import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { withDeidOptions } from '../deid/deid-options.ts';
import type { DeidDicomOptions } from './deid-dicom.ts';

// Registration only: the engine, the ledger and the remote client load when the command runs (start-up time).
// The PS3.15 option names are spelled out for the help (DICOM_PROFILE_OPTIONS; deid-dicom.test.ts checks them).
export const DICOM_OPTION_HELP =
  'retainSafePrivate, retainUids, retainDeviceIdentity, retainInstitutionIdentity, retainPatientCharacteristics, retainLongitudinalFullDates, retainLongitudinalModifiedDates, cleanDescriptors, cleanStructuredContent, cleanGraphics';

/** `phiguard deid dicom FILE|DIR... --out DIR` or `--dicomweb URL [--study UID...]`. */
export function registerDeidDicom(parent: Command, ctx: CliContext): void {
  withDeidOptions(
    parent
      .command('dicom')
      .description('De-identify DICOM with the PS3.15 Annex E Basic Profile (UIDs, names, dates, private tags, SR, burned-in check)')
      .argument('[inputs...]', 'DICOM files or folders (searched recursively for .dcm, .dicom, .ima and extension-less files)')
      .option('--options <list>', `PS3.15 options, comma-separated, instead of those of --profile: ${DICOM_OPTION_HELP}`)
      .option('--burned-in <policy>', 'images that may show text: quarantine (default), clean (blank --pixel-regions), accept (reviewed)', 'quarantine')
      .option('--pixel-regions <recipe>', 'pydicom deid recipe (deid.dicom) with coordinates per manufacturer/model, for --burned-in clean')
      .option('--safe-private <json>', 'JSON list of private elements [{"creator","group","element"}] kept with --options retainSafePrivate, in addition to PS3.15 Table E.3.10-1')
      .option('--issuer <ISSUER=SYSTEM...>', 'map Issuer of Patient ID to the identifier system FHIR/HL7v2 use (same pseudonym everywhere)')
      .option('--dicomweb <url>', 'retrieve from a PACS over DICOMweb (QIDO-RS + WADO-RS) instead of files, e.g. http://pacs:8042/dicom-web')
      .option('--study <uid...>', 'with --dicomweb: the studies to retrieve (default: all matching --query)')
      .option('--query <KEY=VALUE...>', 'with --dicomweb: QIDO-RS matching keys, e.g. ModalitiesInStudy=CT'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ phiguard deid dicom scans/ --out deid-scans/                           Safe Harbor, keeps the folder layout
  $ phiguard deid dicom scans/ --out out/ --profile date-shift              dates shifted per patient, as in FHIR/HL7v2
  $ phiguard deid dicom us/ --out out/ --burned-in clean --pixel-regions deid.dicom
  $ phiguard deid dicom --dicomweb http://pacs:8042/dicom-web --query ModalitiesInStudy=CT --out out/`,
    )
    .action(async (inputs: string[], options: DeidDicomOptions, command: Command) => {
      const { runDeidDicom } = await import('./deid-dicom.ts');
      await runDeidDicom(parent, ctx, inputs, options, command);
    });
}

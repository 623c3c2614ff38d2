import type { DicomElement } from '../dataset.ts';
import { asciiOf } from '../values.ts';

/** PS3.6 keywords the pixel-region filters use → tags. */
const KEYWORDS: Readonly<Record<string, number>> = {
  Manufacturer: 0x00080070,
  ManufacturerModelName: 0x00081090,
  Modality: 0x00080060,
  ImageType: 0x00080008,
  SeriesDescription: 0x0008103e,
  StudyDescription: 0x00081030,
  BurnedInAnnotation: 0x00280301,
  Rows: 0x00280010,
  Columns: 0x00280011,
  CodeMeaning: 0x00080104,
  CommentsOnRadiationDose: 0x00400310,
  DateOfSecondaryCapture: 0x00181012,
  OverlayDescription: 0x60000022,
  ProtocolName: 0x00181030,
  SecondaryCaptureDeviceManufacturer: 0x00181016,
  SecondaryCaptureDeviceManufacturerModelName: 0x00181018,
  SecondaryCaptureDeviceSoftwareVersions: 0x00181019,
  WindowWidth: 0x00281051,
  SOPClassUID: 0x00080016,
};

/** A lookup of top-level header values by keyword, for {@link ruleMatches}; US values as decimal text. */
export function headerLookup(dataset: readonly DicomElement[], littleEndian: boolean): (keyword: string) => string | undefined {
  return (keyword) => {
    const t = KEYWORDS[keyword];
    if (t === undefined) return undefined;
    const e = dataset.find((x) => x.tag === t);
    if (e === undefined) return undefined;
    if (e.vr === 'US' && e.value !== undefined && e.value.byteLength >= 2) {
      return String(new DataView(e.value.buffer, e.value.byteOffset, e.value.byteLength).getUint16(0, littleEndian));
    }
    return asciiOf(e) ?? '';
  };
}

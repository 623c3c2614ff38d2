/** One test on a header attribute, as in the pydicom deid recipe's filters. */
export interface HeaderCondition {
  readonly op: 'contains' | 'notcontains' | 'equals' | 'notequals' | 'missing' | 'present' | 'empty';
  /** DICOM keyword, e.g. `ManufacturerModelName`. */
  readonly field: string;
  /** Case-insensitive; `|` separates alternatives (any one matches). */
  readonly value?: string;
}

/** A rule: when the conditions hold (OR of AND-groups), blank these rectangles in every frame. */
export interface PixelRegionRule {
  readonly label: string;
  readonly when: readonly (readonly HeaderCondition[])[];
  /** [x0, y0, x1, y1] in pixels, x1/y1 exclusive, clipped to the image. */
  readonly regions: readonly (readonly [number, number, number, number])[];
}

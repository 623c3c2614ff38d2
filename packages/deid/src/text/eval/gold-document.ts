import type { SafeHarborCategory } from '../../safe-harbor/categories.ts';

/** A gold (or silver) annotated span. `category` null: annotated but not a Safe Harbor identifier (neutral). */
export interface GoldSpan {
  readonly start: number;
  readonly end: number;
  readonly label: string;
  readonly category: SafeHarborCategory | null;
}

/** One evaluation document: its text and gold spans (offsets in UTF-16 code units). */
export interface GoldDocument {
  readonly id: string;
  readonly text: string;
  readonly spans: readonly GoldSpan[];
}

/** Reader failures are values: the file and the kind of problem, never the text. */
export type GoldParse = { readonly ok: true; readonly documents: readonly GoldDocument[] } | { readonly ok: false; readonly reason: string; readonly place: string };

/** A data element tag as one unsigned 32-bit number: group << 16 | element (PS3.5 §7.1). */
export type Tag = number;

export function tag(group: number, element: number): Tag {
  return ((group << 16) | element) >>> 0;
}

export function tagGroup(t: Tag): number {
  return t >>> 16;
}

export function tagElement(t: Tag): number {
  return t & 0xffff;
}

/** `GGGG,EEEE` in upper-case hex, the form used in places and in Table E.1-1. */
export function formatTag(t: Tag): string {
  const hex = t.toString(16).toUpperCase().padStart(8, '0');
  return `${hex.slice(0, 4)},${hex.slice(4)}`;
}

/**
 * Private data elements have an odd group number (PS3.5 §7.8.1). Groups 0001, 0003, 0005 and
 * 0007 are not allowed at all; they are treated as private so de-identification removes them.
 */
export function isPrivateTag(t: Tag): boolean {
  const g = tagGroup(t);
  return (g & 1) === 1 && g !== 0xffff;
}

/** Private Creator elements: (gggg,0010-00FF) of an odd group (PS3.5 §7.8.1). */
export function isPrivateCreator(t: Tag): boolean {
  const e = tagElement(t);
  return isPrivateTag(t) && e >= 0x0010 && e <= 0x00ff;
}

/** The creator element that reserves the block of a private element (gggg,xxee) → (gggg,00xx). */
export function privateCreatorOf(t: Tag): Tag {
  return tag(tagGroup(t), tagElement(t) >>> 8);
}

export const ITEM = 0xfffee000;
export const ITEM_DELIMITATION = 0xfffee00d;
export const SEQUENCE_DELIMITATION = 0xfffee0dd;
export const PIXEL_DATA = 0x7fe00010;
export const UNDEFINED_LENGTH = 0xffffffff;

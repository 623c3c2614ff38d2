/**
 * The field separators of a message's segments, found once (HL7 v2.8 Ch. 2 §2.5): the known-
 * identifier collection and the field rules both read fields by these positions, so each segment
 * is walked once, not once per pass. Positions of all segments go into one typed array reused
 * from message to message; a segment's are `positions[from .. from + count)`, ascending.
 */
export class Hl7SeparatorIndex {
  positions = new Int32Array(1024);
  size = 0;

  reset(): void {
    this.size = 0;
  }

  /** Appends the positions of `sep` in `text`; returns how many (the segment has that many + 1 fields after its id). */
  walk(text: string, sep: string): number {
    const from = this.size;
    let size = from;
    let positions = this.positions;
    let at = text.indexOf(sep);
    while (at >= 0) {
      if (size === positions.length) {
        const grown = new Int32Array(positions.length * 2);
        grown.set(positions);
        this.positions = positions = grown;
      }
      positions[size++] = at;
      at = text.indexOf(sep, at + 1);
    }
    this.size = size;
    return size - from;
  }
}

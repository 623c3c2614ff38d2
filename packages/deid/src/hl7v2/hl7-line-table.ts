const LF = 10;
const BOM = 0xfeff;
const MLLP_START = 0x0b;

/**
 * The lines of one file as offsets into its text (the de-identifier's reader): the same lines as
 * {@link splitHl7Lines} (CR, LF or CRLF; a lead of UTF-8 BOMs and MLLP start blocks), in typed
 * arrays reused from file to file, so reading a message builds no object per line. Line `i` is
 * `text.slice(leadStart[i], lineEnd[i])`: its lead up to `textStart[i]`, its segment text up to
 * `textEnd[i]`, then its terminator.
 */
export class Hl7LineTable {
  count = 0;
  leadStart = new Int32Array(64);
  textStart = new Int32Array(64);
  textEnd = new Int32Array(64);
  lineEnd = new Int32Array(64);

  scan(text: string): void {
    this.count = 0;
    let start = 0;
    let cr = text.indexOf('\r');
    let lf = text.indexOf('\n');
    while (cr >= 0 || lf >= 0) {
      let end: number;
      let next: number;
      if (cr >= 0 && (lf < 0 || cr < lf)) {
        end = cr;
        next = text.charCodeAt(cr + 1) === LF ? cr + 2 : cr + 1;
      } else {
        end = lf;
        next = lf + 1;
      }
      this.#push(text, start, end, next);
      start = next;
      if (cr >= 0 && cr < start) cr = text.indexOf('\r', start);
      if (lf >= 0 && lf < start) lf = text.indexOf('\n', start);
    }
    if (start < text.length) this.#push(text, start, text.length, text.length);
  }

  #push(text: string, start: number, end: number, next: number): void {
    const i = this.count;
    if (i === this.leadStart.length) this.#grow();
    let s = start;
    while (s < end) {
      const c = text.charCodeAt(s);
      if (c !== BOM && c !== MLLP_START) break;
      s += 1;
    }
    this.leadStart[i] = start;
    this.textStart[i] = s;
    this.textEnd[i] = end;
    this.lineEnd[i] = next;
    this.count = i + 1;
  }

  #grow(): void {
    const size = this.leadStart.length * 2;
    const grow = (a: Int32Array): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.leadStart = grow(this.leadStart);
    this.textStart = grow(this.textStart);
    this.textEnd = grow(this.textEnd);
    this.lineEnd = grow(this.lineEnd);
  }
}

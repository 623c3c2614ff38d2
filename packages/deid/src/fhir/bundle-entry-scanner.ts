import { FhirDeidError } from './fhir-deid-error.ts';

/** A piece of a Bundle's JSON text: one `entry` element, or the rest of the Bundle (entries left out). */
export type BundlePiece = { readonly kind: 'entry'; readonly index: number; readonly text: string } | { readonly kind: 'shell'; readonly text: string };

const QUOTE = 34;
const BACKSLASH = 92;

/**
 * A small streaming JSON tokenizer for one big Bundle (RFC 8259 strings, objects, arrays): fed
 * chunks, it hands out the elements of the top-level `entry` array one by one, so a Bundle of any
 * size is processed in memory proportional to its largest entry. What is not an entry (id, type,
 * meta, link, ...) is kept as the "shell", a small JSON object with `"entry":[]`.
 */
export class BundleEntryScanner {
  #depth = 0;
  #inString = false;
  #escape = false;
  /** Last complete string at depth 1 (a key candidate) and whether a colon followed it. */
  #lastKey = '';
  #keyBuf: number[] | undefined;
  #afterKeyColon = false;
  #inEntries = false;
  #entryStart = -1;
  #entryParts: string[] = [];
  #shell: string[] = [];
  #shellStart = 0;
  #index = 0;
  #line = 1;

  /** Feeds a chunk; returns the entries completed in it. */
  push(chunk: string): BundlePiece[] {
    const out: BundlePiece[] = [];
    this.#shellStart = this.#inEntries ? -1 : 0;
    if (this.#entryStart === -2) this.#entryStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 10) this.#line++;
      if (this.#inString) {
        if (this.#escape) this.#escape = false;
        else if (c === BACKSLASH) this.#escape = true;
        else if (c === QUOTE) {
          this.#inString = false;
          if (this.#keyBuf !== undefined) {
            this.#lastKey = String.fromCharCode(...this.#keyBuf);
            this.#keyBuf = undefined;
          }
        } else if (this.#keyBuf !== undefined && this.#keyBuf.length < 16) this.#keyBuf.push(c);
        continue;
      }
      if (c === QUOTE) {
        this.#inString = true;
        this.#keyBuf = this.#depth === 1 && !this.#afterKeyColon ? [] : undefined;
        continue;
      }
      if (c === 58 && this.#depth === 1) {
        this.#afterKeyColon = true;
        continue;
      }
      if (c === 44 && this.#depth === 1) this.#afterKeyColon = false;
      if (c === 123 || c === 91) {
        if (this.#depth === 1 && c === 91 && this.#afterKeyColon && this.#lastKey === 'entry') {
          this.#inEntries = true;
          this.#depth++;
          // keep "[" in the shell, the entries go elsewhere
          this.#shell.push(chunk.slice(this.#shellStart, i + 1));
          this.#shellStart = -1;
          continue;
        }
        if (this.#inEntries && this.#depth === 2 && c === 123) this.#entryStart = i;
        this.#depth++;
        continue;
      }
      if (c === 125 || c === 93) {
        this.#depth--;
        if (this.#depth < 0) throw this.#error();
        if (this.#inEntries && this.#depth === 2 && c === 125 && this.#entryStart !== -1) {
          this.#entryParts.push(chunk.slice(Math.max(this.#entryStart, 0), i + 1));
          out.push({ kind: 'entry', index: this.#index++, text: this.#entryParts.join('') });
          this.#entryParts = [];
          this.#entryStart = -1;
        } else if (this.#inEntries && this.#depth === 1 && c === 93) {
          this.#inEntries = false;
          this.#afterKeyColon = false;
          this.#shellStart = i;
        }
      }
    }
    if (this.#entryStart !== -1) {
      this.#entryParts.push(chunk.slice(Math.max(this.#entryStart, 0)));
      this.#entryStart = -2;
    }
    if (this.#shellStart >= 0) this.#shell.push(chunk.slice(this.#shellStart));
    return out;
  }

  /** Ends the input; returns the shell (the Bundle without its entries). */
  end(): BundlePiece {
    if (this.#depth !== 0 || this.#inString) throw this.#error();
    return { kind: 'shell', text: this.#shell.join('') };
  }

  #error(): FhirDeidError {
    return new FhirDeidError('fhir-bad-json', 'the Bundle JSON is not well formed', { place: { line: this.#line } });
  }
}

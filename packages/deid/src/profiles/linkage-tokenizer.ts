/**
 * The port to the linkage vault (ARCHITECTURE §1: what must stay identifiable goes only into the
 * linkage vault, sealed under its own key). `tokenize` returns an opaque token that replaces the
 * value in the output; the vault keeps token → value. Synchronous so format code stays simple:
 * a vault implementation buffers and must make its buffer durable (`flush`) before the output
 * is released.
 */
export interface LinkageTokenizer {
  tokenize(kind: string, value: string): string;
  flush(): Promise<void>;
}

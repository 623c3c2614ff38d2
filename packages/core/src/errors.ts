/**
 * Where a problem was found, so a user can go straight to it. Never holds a data value:
 * only coordinates (file, line, segment, field, tag, JSON path, index).
 */
export interface Place {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly segment?: string;
  readonly field?: string;
  readonly tag?: string;
  readonly path?: string;
  readonly index?: number;
}

export interface BaseErrorOptions {
  readonly cause?: unknown;
  readonly place?: Place;
  /** What the user can do next; shown by the CLI and the server's problem+json. */
  readonly hint?: string;
}

/**
 * The base of every PHIGuard error. Each package narrows `C` to a literal union of its codes
 * so callers switch exhaustively. Messages must never contain PHI: they name places and kinds,
 * not values (ARCHITECTURE §5).
 */
export class BaseError<C extends string = string> extends Error {
  readonly code: C;
  readonly place: Place | undefined;
  readonly hint: string | undefined;

  constructor(code: C, message: string, options: BaseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.place = options.place;
    this.hint = options.hint;
  }

  /** The message with its place, e.g. `bad MSH-2 (file a.hl7, line 3, segment MSH, field 2)`. */
  describe(): string {
    const where = describePlace(this.place);
    return where === '' ? this.message : `${this.message} (${where})`;
  }
}

export function describePlace(place: Place | undefined): string {
  if (place === undefined) return '';
  const parts: string[] = [];
  if (place.file !== undefined) parts.push(`file ${place.file}`);
  if (place.line !== undefined) parts.push(`line ${String(place.line)}`);
  if (place.column !== undefined) parts.push(`column ${String(place.column)}`);
  if (place.segment !== undefined) parts.push(`segment ${place.segment}`);
  if (place.field !== undefined) parts.push(`field ${place.field}`);
  if (place.tag !== undefined) parts.push(`tag ${place.tag}`);
  if (place.path !== undefined) parts.push(`path ${place.path}`);
  if (place.index !== undefined) parts.push(`index ${String(place.index)}`);
  return parts.join(', ');
}

export function isBaseError(value: unknown): value is BaseError {
  return value instanceof BaseError;
}

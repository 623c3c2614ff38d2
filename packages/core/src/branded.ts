/**
 * Data that may hold Protected Health Information. Only the de-identification stage may turn it
 * into {@link Deidentified} (ARCHITECTURE §3.5); everything else treats it as opaque.
 */
export type Phi<T> = T & { readonly __phi: true };

/** Data that left the de-identification stage under a recorded profile. */
export type Deidentified<T> = T & { readonly __deidentified: true };

/** Marks a value read from a source as PHI. Costs nothing at run time. */
export function asPhi<T>(value: T): Phi<T> {
  return value as Phi<T>;
}

import { ComputeError } from '../../compute-error.ts';

/** One golden measurement of an NVIDIA RIM (TCG RIM IM / ISO 19770-2 SWID `Resource type="Measurement"`). */
export interface RimMeasurement {
  /** RIM index i; it is compared with SPDM block i + 1 (nvtrust). */
  readonly index: number;
  readonly active: boolean;
  /** Acceptable SHA-384 values (hex), `Hash0..HashN`. */
  readonly alternatives: readonly string[];
}

export interface Rim {
  readonly colloquialVersion: string | undefined;
  readonly measurements: readonly RimMeasurement[];
}

function attrs(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of tag.matchAll(/([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*=\s*"([^"]*)"/g))
    out.set((m[1] ?? '').replace(/^[\w.-]+:/, ''), m[2] ?? '');
  return out;
}

/**
 * Reads the golden measurements of an NVIDIA RIM swidtag. The RIM's XML-DSig signature is NOT
 * verified here (docs/compute/attestation.md): RIMs must come from a trusted channel.
 */
export function parseRim(xml: string): Rim {
  const measurements: RimMeasurement[] = [];
  for (const m of xml.matchAll(/<(?:[\w.-]+:)?Resource\b([^>]*)\/?>/g)) {
    const a = attrs(m[1] ?? '');
    if (a.get('type') !== 'Measurement') continue;
    const index = Number(a.get('index'));
    const count = Number(a.get('alternatives') ?? '1');
    if (!Number.isInteger(index) || index < 0 || !Number.isInteger(count) || count < 1 || count > 16) {
      throw new ComputeError('collateral-malformed', 'RIM measurement has a bad index or alternatives', {
        place: { field: 'Resource', index: measurements.length },
      });
    }
    const alternatives: string[] = [];
    for (let i = 0; i < count; i++) {
      const h = a.get(`Hash${String(i)}`);
      if (h === undefined || !/^[0-9a-fA-F]{96}$/.test(h))
        throw new ComputeError('collateral-malformed', 'RIM measurement hash is missing or not SHA-384', {
          place: { field: `Hash${String(i)}`, index },
        });
      alternatives.push(h.toLowerCase());
    }
    measurements.push({ index, active: a.get('active')?.toLowerCase() === 'true', alternatives });
  }
  if (measurements.length === 0) throw new ComputeError('collateral-malformed', 'RIM has no measurements', { place: { field: 'Payload' } });
  const meta = /<(?:[\w.-]+:)?Meta\b([^>]*)\/?>/.exec(xml);
  return { colloquialVersion: meta === null ? undefined : attrs(meta[1] ?? '').get('colloquialVersion'), measurements };
}

/** Indices of active RIM measurements whose SPDM block (index + 1) matches none of the alternatives. */
export function rimMismatches(rim: Rim, measurements: ReadonlyMap<number, Uint8Array>): number[] {
  const out: number[] = [];
  for (const m of rim.measurements) {
    if (!m.active) continue;
    const actual = measurements.get(m.index + 1);
    if (actual === undefined || !m.alternatives.includes(Buffer.from(actual).toString('hex'))) out.push(m.index);
  }
  return out;
}

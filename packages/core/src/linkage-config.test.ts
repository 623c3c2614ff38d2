import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';
import { LINKAGE_CONFIG_BOUNDS } from './linkage-config.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'linkage-config-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function load(linkage: unknown): ReturnType<typeof loadConfig> {
  const file = path.join(dir, 'phiguard.json');
  writeFileSync(file, JSON.stringify({ linkage }));
  return loadConfig({ cwd: dir, env: {}, file });
}

describe('linkage configuration', () => {
  it('is absent by default (the vault keeps its defaults) and read as given', () => {
    expect(loadConfig({ cwd: dir, env: {} }).linkage).toBeUndefined();
    expect(load({ openTtlMs: 3 * 86_400_000, revealWindowMs: 3_600_000 }).linkage).toEqual({ openTtlMs: 3 * 86_400_000, revealWindowMs: 3_600_000 });
    expect(load({ openTtlMs: 3_600_000 }).linkage).toEqual({ openTtlMs: 3_600_000 });
    expect(load({}).linkage).toEqual({});
  });

  it('accepts exactly the whole numbers within each bound; a refusal is a ConfigError naming the setting and its bounds', () => {
    for (const key of ['openTtlMs', 'revealWindowMs'] as const) {
      const { min, max } = LINKAGE_CONFIG_BOUNDS[key];
      fc.assert(
        fc.property(fc.oneof(fc.integer({ min: min - 10, max: min + 10 }), fc.integer({ min: max - 10, max: max + 10 }), fc.integer(), fc.double(), fc.constantFrom('1000', null, true)), (value) => {
          const ok = typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
          if (ok) expect(load({ [key]: value }).linkage?.[key]).toBe(value);
          else {
            let thrown: unknown;
            try {
              load({ [key]: value });
            } catch (error) {
              thrown = error;
            }
            expect(thrown).toBeInstanceOf(ConfigError);
            expect(thrown).toMatchObject({ code: 'config-invalid', message: expect.stringContaining(`linkage.${key} must be a whole number of milliseconds from ${String(min)} to ${String(max)}`) as string });
          }
        }),
        { numRuns: 200 },
      );
    }
  });

  it('refuses an unknown setting (a misspelt one must not silently keep the default) and a non-object section', () => {
    expect(() => load({ requestTtlMs: 3_600_000 })).toThrow(/linkage\.requestTtlMs is not a known setting \(openTtlMs, revealWindowMs\)/);
    expect(() => load(7)).toThrow(/linkage must be an object/);
  });
});

import { describe, expect, it } from 'vitest';
import { ComputeError } from '../compute-error.ts';
import { parseRunSpec } from './run-spec.ts';

const DS = 'ds_01j0000000000000000000000a';
const ok = { classification: 'phi', input: { dataset: DS }, output: { dataset: DS }, command: ['/usr/bin/python3', 'x.py'] };

describe('parseRunSpec', () => {
  it('accepts a minimal spec and freezes it', () => {
    const spec = parseRunSpec(ok);
    expect(spec).toMatchObject({ classification: 'phi', command: ['/usr/bin/python3', 'x.py'], gpu: { count: 0 }, env: {} });
    expect(Object.isFrozen(spec)).toBe(true);
  });

  it.each([
    [{ ...ok, classification: 'secret' }, '$.classification'],
    [{ ...ok, input: { dataset: 'Jonathan Quimby' } }, '$.input.dataset'],
    [{ ...ok, command: [] }, '$.command'],
    [{ ...ok, env: { PHIGUARD_INPUT_DIR: '/etc' } }, '$.env.PHIGUARD_INPUT_DIR'],
    [{ ...ok, env: { lower: 'x' } }, '$.env.lower'],
    [{ ...ok, image: 'Bad Image!' }, '$.image'],
    [{ ...ok, timeoutSeconds: 0 }, '$.timeoutSeconds'],
    [{ ...ok, extra: 1 }, '$.extra'],
  ])('refuses bad input naming the place (%#)', (input, where) => {
    let caught: unknown;
    try {
      parseRunSpec(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ComputeError);
    expect((caught as ComputeError).place).toEqual({ path: where });
    expect((caught as ComputeError).message).not.toContain('Jonathan');
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ManualClock } from '@phiguard/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leafHash } from '../merkle/hashes.ts';
import { MerkleLogError } from '../merkle/merkle-log-error.ts';
import { rootFromLeafHashes } from '../merkle/root-from-leaf-hashes.ts';
import { formatCheckpoint, parseCheckpoint } from './checkpoint.ts';
import { CheckpointKeyring, openCheckpointNote, trustedVerifiers } from './checkpoint-keyring.ts';
import { generateSignerKey, parseSignerKey } from './note-keys.ts';
import { openNote, parseNote } from './signed-note.ts';

/** FUZZ_RUNS=100000 runs the property tests long (CI keeps the defaults). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 0) || undefined;

const repoRoot = path.resolve(import.meta.dirname, '../../../..');
const examples = JSON.parse(readFileSync(path.resolve(repoRoot, '../shared/vectors/merkle/signed_note_examples.json'), 'utf8')) as {
  vectors: { id: string; note: string; parsed?: { origin: string; treeSize: number; rootHashBase64: string } }[];
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof MerkleLogError ? e.code : `other:${String(e)}`;
  }
  return undefined;
}

describe('C2SP tlog-checkpoint', () => {
  it('parses the spec example and formats it back byte for byte', () => {
    const v = examples.vectors.find((x) => x.id === 'c2sp-tlog-checkpoint-example')!;
    const cp = parseCheckpoint(parseNote(v.note).text);
    expect(cp.origin).toBe(v.parsed!.origin);
    expect(cp.size).toBe(v.parsed!.treeSize);
    expect(cp.root.toString('base64')).toBe(v.parsed!.rootHashBase64);
    expect(formatCheckpoint(cp)).toBe(parseNote(v.note).text);
  });

  it('parse ∘ format is identity', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9./-]{1,40}$/),
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(fc.stringMatching(/^[ -~]{1,30}$/), { maxLength: 3 }),
        (origin, size, root, extensions) => {
          const text = formatCheckpoint({ origin, size, root, extensions });
          expect(parseCheckpoint(text)).toEqual({ origin, size, root: Buffer.from(root), extensions });
        },
      ),
      { numRuns: RUNS ?? 200 },
    );
  });

  it('refuses malformed checkpoints, naming the line', () => {
    const root = Buffer.alloc(32, 7).toString('base64');
    const cases: [string, number][] = [
      [`o\n01\n${root}\n`, 2],
      [`o\n-1\n${root}\n`, 2],
      [`o\n9007199254740992\n${root}\n`, 2],
      [`o\n1\n${Buffer.alloc(31).toString('base64')}\n`, 3],
      [`o\n1\n${root}`, 1],
      [`o\n1\n`, 2],
      [`o\n1\n${root}\n\n`, 4],
      [`\n1\n${root}\n`, 1],
    ];
    for (const [text, line] of cases) {
      try {
        parseCheckpoint(text);
        expect.unreachable(text);
      } catch (e) {
        expect((e as MerkleLogError).code).toBe('malformed-checkpoint');
        expect((e as MerkleLogError).place).toEqual({ line });
      }
    }
    expect(() => formatCheckpoint({ origin: 'a\nb', size: 1, root: Buffer.alloc(32) })).toThrow(TypeError);
  });
});

describe('key rotation of the log signer', () => {
  const keyA = generateSignerKey('phiguard.example/ledger');
  const keyB = generateSignerKey('phiguard.example/ledger');
  const a = parseSignerKey(keyA.signerKey);
  const b = parseSignerKey(keyB.signerKey);
  const checkpointAt = (n: number): string =>
    formatCheckpoint({ origin: 'phiguard.example/ledger', size: n, root: rootFromLeafHashes(Array.from({ length: n }, (_, i) => leafHash(Buffer.from([i])))) });

  it('a log signed across a rotation verifies with both public keys; each era with the key it had', () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 1));
    const ring = new CheckpointKeyring({ clock, current: a, overlapMs: 3_600_000 });
    const before = ring.sign(checkpointAt(1));
    ring.stage(b);
    const staged = ring.sign(checkpointAt(2));
    ring.rotate();
    const overlap = ring.sign(checkpointAt(3));
    expect(ring.verifierKeys).toEqual([keyB.verifierKey, keyA.verifierKey]);
    clock.advance(3_600_000);
    const after = ring.sign(checkpointAt(4));
    expect(ring.verifierKeys).toEqual([keyB.verifierKey]);

    const both = trustedVerifiers([keyA.verifierKey, keyB.verifierKey]);
    for (const note of [before, staged, overlap, after]) expect(openNote(note, both).verified.length).toBeGreaterThan(0);
    expect(parseNote(staged).signatures).toHaveLength(2);
    expect(parseNote(overlap).signatures).toHaveLength(2);
    expect(parseNote(after).signatures).toHaveLength(1);

    const onlyNew = trustedVerifiers([keyB.verifierKey]);
    const onlyOld = trustedVerifiers([keyA.verifierKey]);
    expect(openCheckpointNote(overlap, onlyNew).verifiedBy).toEqual([keyB.verifierKey.split('+').slice(0, 2).join('+')]);
    expect(openCheckpointNote(overlap, onlyOld).verifiedBy).toHaveLength(1);
    // Signed only by the retired key: a verifier that trusts only the new key refuses it...
    expect(codeOf(() => openNote(before, onlyNew))).toBe('unverified-note');
    // ...and after the overlap, the retired key's trust no longer accepts new checkpoints.
    expect(codeOf(() => openNote(after, onlyOld))).toBe('unverified-note');
  });

  it('refuses a checkpoint signed only by an untrusted key with the same name', () => {
    const mallory = parseSignerKey(generateSignerKey('phiguard.example/ledger').signerKey);
    const forged = new CheckpointKeyring({ clock: new ManualClock(0), current: mallory }).sign(checkpointAt(5));
    expect(codeOf(() => openNote(forged, trustedVerifiers([keyA.verifierKey, keyB.verifierKey])))).toBe('unverified-note');
  });

  it('needs a key to rotate to', () => {
    const ring = new CheckpointKeyring({ clock: new ManualClock(0), current: a });
    expect(() => {
      ring.rotate();
    }).toThrow(TypeError);
    expect(() => {
      ring.stage(a);
    }).toThrow(TypeError);
  });
});

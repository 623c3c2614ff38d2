import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MerkleLogError } from '../merkle/merkle-log-error.ts';
import { generateSignerKey, openNote, parseNote, parseSignerKey, parseVerifierKey, signNote } from './signed-note.ts';

/** FUZZ_RUNS=100000 runs the property tests long (CI keeps the defaults). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 0) || undefined;

const repoRoot = path.resolve(import.meta.dirname, '../../../..');
const examples = JSON.parse(readFileSync(path.resolve(repoRoot, '../shared/vectors/merkle/signed_note_examples.json'), 'utf8')) as {
  vectors: { id: string; vkey?: string; vkeys?: string[]; skey?: string; skeyEnochRoot?: string; text?: string; note: string; parsed?: { origin: string; treeSize: number; rootHashBase64: string } }[];
};
const vector = (id: string) => {
  const v = examples.vectors.find((x) => x.id === id);
  if (v === undefined) throw new Error(`vector ${id} missing`);
  return v;
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof MerkleLogError ? e.code : `other:${String(e)}`;
  }
  return undefined;
}

describe('C2SP signed-note vectors', () => {
  it('verifies the C2SP example and refuses it when a byte of the text changes', () => {
    const v = vector('c2sp-signed-note-example');
    const verifier = parseVerifierKey(v.vkey!);
    const opened = openNote(v.note, [verifier]);
    expect(opened.text).toBe('This is an example message.\n');
    expect(opened.verified).toEqual([{ name: 'example.com/foo', keyId: 0x530d903a }]);
    expect(codeOf(() => openNote(v.note.replace('example message', 'exampel message'), [verifier]))).toBe('bad-signature');
  });

  it('reproduces the Go sumdb/note PeterNeumann signature byte for byte (Ed25519 is deterministic)', () => {
    const v = vector('golang-sumdb-note-PeterNeumann');
    const signer = parseSignerKey(v.skey!);
    expect(signer.verifierKey).toBe(v.vkey);
    expect(signNote(v.text!, [signer])).toBe(v.note);
    expect(openNote(v.note, [parseVerifierKey(v.vkey!)]).text).toBe(v.text);
  });

  it('verifies both signatures of the two-signature note, each key alone too', () => {
    const v = vector('golang-sumdb-note-two-signatures');
    const [peter, enoch] = v.vkeys!.map((k) => parseVerifierKey(k)) as [ReturnType<typeof parseVerifierKey>, ReturnType<typeof parseVerifierKey>];
    expect(openNote(v.note, [peter, enoch]).verified.map((s) => s.name)).toEqual(['PeterNeumann', 'EnochRoot']);
    const onlyEnoch = openNote(v.note, [enoch]);
    expect(onlyEnoch.verified.map((s) => s.name)).toEqual(['EnochRoot']);
    expect(onlyEnoch.unknown.map((s) => s.name)).toEqual(['PeterNeumann']);
    const skey = parseSignerKey(v.skeyEnochRoot!);
    expect(skey.verifierKey).toBe(v.vkeys![1]);
    expect(generateSignerKey('EnochRoot', Buffer.alloc(32))).toEqual({ signerKey: v.skeyEnochRoot, verifierKey: v.vkeys![1] });
  });

  it('parses the checkpoint and quasimodo examples, which no published key verifies', () => {
    for (const id of ['c2sp-tlog-checkpoint-example', 'c2sp-signed-note-intro-quasimodo']) {
      const v = vector(id);
      const parsed = parseNote(v.note);
      expect(parsed.signatures).toHaveLength(1);
      expect(`${parsed.text}\n${parsed.signatures.map((s) => `${s.line}\n`).join('')}`).toBe(v.note);
      const stranger = parseVerifierKey(generateSignerKey(parsed.signatures[0]!.name).verifierKey);
      // Same name, other key ID: an unknown key, ignored; nothing trusted is left.
      expect(codeOf(() => openNote(v.note, [stranger]))).toBe('unverified-note');
    }
    expect(parseNote(vector('c2sp-signed-note-intro-quasimodo').note).text).toContain('ed è subito sera.\n');
  });
});

describe('signed-note rules', () => {
  const { signerKey, verifierKey } = generateSignerKey('phiguard.example/ledger');
  const signer = parseSignerKey(signerKey);
  const verifier = parseVerifierKey(verifierKey);

  it('round-trips any text with a trusted key', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (s) => {
        const text = `${s.replace(/[\u0000-\u001f]/gu, ' ')}\n`;
        expect(openNote(signNote(text, [signer]), [verifier]).text).toBe(text);
      }),
      { numRuns: RUNS ?? 200 },
    );
  });

  it('refuses malformed notes with a typed error naming the line', () => {
    const good = signNote('a\nb\n', [signer]);
    const cases = [
      good.replace('\n\n', '\n'), // no blank line
      good.slice(0, -1), // no final newline
      good.replace('\u2014', '-'), // not an em dash
      good.replace('a\n', 'a\u0007\n'), // control character
      `${good}\u2014 name\n`, // no signature
      `${good}\u2014 bad+name AAAAAAA=\n`, // name with +
      `${good}\u2014 n AAAA\n`, // fewer than 5 bytes
      `${good}\u2014 n AAAAAA!=\n`, // not base64
    ];
    for (const note of cases) expect(codeOf(() => openNote(note, [verifier]))).toBe('malformed-note');
    expect(codeOf(() => openNote(Buffer.from([0x61, 0x0a, 0x0a, 0xff, 0x0a]), [verifier]))).toBe('malformed-note');
    try {
      openNote(good.replace('b\n', 'b\u0001\n'), [verifier]);
    } catch (e) {
      expect((e as MerkleLogError).place).toEqual({ line: 2 });
    }
  });

  it('ignores unknown signatures and repeated ones, refuses a bad signature by a known key', () => {
    const other = parseSignerKey(generateSignerKey('someone.else').signerKey);
    const both = signNote('x\n', [other, signer]);
    expect(openNote(both, [verifier]).verified).toHaveLength(1);
    const doubled = `${both}${both.split('\n\n')[1]!}`;
    expect(openNote(doubled, [verifier]).verified).toHaveLength(1);
    const forged = signNote('x\n', [signer]).replace(/.{6}=\n$/u, 'AAAAAA=\n');
    expect(codeOf(() => openNote(forged, [verifier]))).toBe('bad-signature');
    expect(codeOf(() => openNote(signNote('x\n', [other]), [verifier]))).toBe('unverified-note');
  });

  it('refuses malformed key texts without echoing them', () => {
    for (const bad of [
      'PRIVATE+KEY+n+00000000+AQ==',
      verifierKey.replace(/\+[0-9a-f]{8}\+/u, '+00000000+'),
      signerKey.replace(/\+[0-9a-f]{8}\+/u, '+00000000+'),
      verifierKey.replace('+A', '+B'),
      'name+1234abcd',
    ]) {
      expect(codeOf(() => (bad.startsWith('PRIVATE') ? parseSignerKey(bad) : parseVerifierKey(bad)))).toBe('malformed-key');
    }
    try {
      parseSignerKey(signerKey.replace(/\+[0-9a-f]{8}\+/u, '+00000000+'));
    } catch (e) {
      expect((e as Error).message).not.toContain(signerKey.slice(-20));
    }
    for (const name of ['has space', 'nbsp\u00a0', 'nel\u0085', 'ideographic\u3000', 'a+b', '']) expect(() => generateSignerKey(name)).toThrow(TypeError);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { leafHash } from '../merkle/hashes.ts';
import { rootFromLeafHashes } from '../merkle/root-from-leaf-hashes.ts';
import { parseCheckpoint } from './checkpoint.ts';
import { openNote, parseVerifierKey } from './signed-note.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../../..');

describe('docs/formats/ledger.md', () => {
  it('shows a checkpoint that verifies with the key it names and commits to the entries it describes', () => {
    const doc = readFileSync(path.join(repoRoot, 'docs/formats/ledger.md'), 'utf8');
    const vkey = /`(phiguard\.example\/ledger\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+)`/u.exec(doc)?.[1];
    const note = /```\n(phiguard\.example\/ledger\n1000\n[\s\S]*?)```/u.exec(doc)?.[1];
    expect(vkey).toBeDefined();
    expect(note).toBeDefined();
    const checkpoint = parseCheckpoint(openNote(note!, [parseVerifierKey(vkey!)]).text);
    const leaves = Array.from({ length: 1000 }, (_, i) => leafHash(Buffer.from(`{"n":${i}}`)));
    expect(checkpoint).toMatchObject({ origin: 'phiguard.example/ledger', size: 1000, root: rootFromLeafHashes(leaves) });
  });
});

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_ROOT, HASH_SIZE, leafHash, nodeHash } from './hashes.ts';
import type { NodeId, NodeReader } from './node-reader.ts';
import { consistencyProof, inclusionProof, verifyConsistency, verifyInclusion } from './proofs.ts';
import { rootFromLeafHashes } from './root-from-leaf-hashes.ts';

/** FUZZ_RUNS=100000 runs the property tests long (CI keeps the defaults). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 0) || undefined;

const repoRoot = path.resolve(import.meta.dirname, '../../../..');
const vectors = path.resolve(repoRoot, '../shared/vectors/merkle');
const probes = path.join(vectors, 'transparency-dev_merkle/testdata');

function listJson(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listJson(full) : name.endsWith('.json') ? [full] : [];
  });
}

const b64 = (s: string | null): Buffer => Buffer.from(s ?? '', 'base64');

interface InclusionProbe { leafIdx: number; treeSize: number; root: string; leafHash: string; proof: string[] | null; desc: string; wantErr: boolean }
interface ConsistencyProbe { size1: number; size2: number; root1: string; root2: string; proof: string[] | null; desc: string; wantErr: boolean }

/** A NodeReader over leaf hashes held in memory: the hash of any complete subtree. */
function memoryNodeReader(leaves: readonly Buffer[]): NodeReader & { calls: number } {
  const reader = {
    calls: 0,
    readNodes(ids: readonly NodeId[]): Promise<readonly Buffer[]> {
      reader.calls += 1;
      return Promise.resolve(
        ids.map(({ level, index }) => {
          const width = 2 ** level;
          const slice = leaves.slice(index * width, (index + 1) * width);
          if (slice.length !== width) throw new Error(`node ${level}/${index} is not complete`);
          return rootFromLeafHashes(slice);
        }),
      );
    },
  };
  return reader;
}

describe('transparency-dev/merkle inclusion probes (RFC 9162 §2.1.3.2)', () => {
  const files = listJson(path.join(probes, 'inclusion'));
  it('found the probe files', () => {
    expect(files.length).toBe(98);
  });
  it.each(files.map((f) => [path.relative(probes, f), f] as const))('%s', (_name, file) => {
    const p = JSON.parse(readFileSync(file, 'utf8')) as InclusionProbe;
    const ok = verifyInclusion(b64(p.leafHash), p.leafIdx, p.treeSize, (p.proof ?? []).map(b64), b64(p.root));
    expect(ok).toBe(!p.wantErr);
  });
});

describe('transparency-dev/merkle consistency probes (RFC 9162 §2.1.4.2)', () => {
  const files = listJson(path.join(probes, 'consistency'));
  it('found the probe files', () => {
    expect(files.length).toBe(98);
  });
  it.each(files.map((f) => [path.relative(probes, f), f] as const))('%s', (_name, file) => {
    const p = JSON.parse(readFileSync(file, 'utf8')) as ConsistencyProbe;
    const ok = verifyConsistency(p.size1, p.size2, b64(p.root1), b64(p.root2), (p.proof ?? []).map(b64));
    expect(ok).toBe(!p.wantErr);
  });
});

describe('the RFC 6962 reference tree', () => {
  const ref = JSON.parse(readFileSync(path.join(vectors, 'derived_rfc6962_reference_tree.json'), 'utf8')) as {
    leafInputsHex: string[];
    leafHashesHex: string[];
    rootHashByTreeSizeHex: Record<string, string>;
  };
  const leaves = ref.leafInputsHex.map((h) => leafHash(Buffer.from(h, 'hex')));

  it('hashes leaves as SHA-256(0x00 || d) and the empty tree as SHA-256()', () => {
    expect(leaves.map((h) => h.toString('hex'))).toEqual(ref.leafHashesHex);
    expect(EMPTY_ROOT.toString('hex')).toBe(ref.rootHashByTreeSizeHex['0']);
    expect(HASH_SIZE).toBe(32);
  });

  it('computes MTH for every size 0..8', () => {
    for (let n = 0; n <= 8; n++) {
      expect(rootFromLeafHashes(leaves.slice(0, n)).toString('hex')).toBe(ref.rootHashByTreeSizeHex[String(n)]);
    }
  });

  it('generates proofs that verify for every index and size pair, and only there', async () => {
    const reader = memoryNodeReader(leaves);
    for (let n = 1; n <= 8; n++) {
      const root = rootFromLeafHashes(leaves.slice(0, n));
      for (let i = 0; i < n; i++) {
        const proof = await inclusionProof(i, n, reader);
        expect(verifyInclusion(leaves[i]!, i, n, proof, root)).toBe(true);
        if (n > 1) expect(verifyInclusion(leaves[(i + 1) % n]!, i, n, proof, root)).toBe(false);
      }
      for (let m = 0; m <= n; m++) {
        const proof = await consistencyProof(m, n, reader);
        const oldRoot = rootFromLeafHashes(leaves.slice(0, m));
        expect(verifyConsistency(m, n, oldRoot, root, proof)).toBe(m > 0);
        if (m > 0 && m < n) expect(verifyConsistency(m, n, nodeHash(oldRoot, oldRoot), root, proof)).toBe(false);
      }
    }
  });

  it('matches the RFC 9162 §2.1.5 example proofs in shape', async () => {
    // §2.1.5: PATH(0, D[7]) = [b, h, l] (3 elements); PROOF(3, D[7]) = [c, d, g, l] (4 elements).
    const reader = memoryNodeReader(leaves.slice(0, 7));
    expect(await inclusionProof(0, 7, reader)).toHaveLength(3);
    expect(await inclusionProof(6, 7, reader)).toHaveLength(2);
    expect(await inclusionProof(3, 7, reader)).toHaveLength(3);
    expect(await consistencyProof(3, 7, reader)).toHaveLength(4);
    expect(await consistencyProof(4, 7, reader)).toHaveLength(1);
    expect(await consistencyProof(6, 7, reader)).toHaveLength(3);
  });

  it('refuses out-of-range requests', async () => {
    const reader = memoryNodeReader(leaves);
    await expect(inclusionProof(8, 8, reader)).rejects.toThrow(RangeError);
    await expect(consistencyProof(5, 4, reader)).rejects.toThrow(RangeError);
    expect(await consistencyProof(0, 8, reader)).toEqual([]);
  });
});

describe('proof properties', () => {
  it('any generated proof verifies, and a flipped bit or wrong index does not', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(), fc.nat(), async (n, a, b, bit) => {
        const leaves = Array.from({ length: n }, (_, i) => leafHash(Buffer.from(String(i))));
        const reader = memoryNodeReader(leaves);
        const i = a % n;
        const m = b % (n + 1);
        const root = rootFromLeafHashes(leaves);
        const ip = await inclusionProof(i, n, reader);
        expect(verifyInclusion(leaves[i]!, i, n, ip, root)).toBe(true);
        expect(reader.calls).toBe(ip.length === 0 ? 0 : 1);
        if (ip.length > 0) {
          const bad = ip.map((p) => Buffer.from(p));
          const k = bit % (bad.length * 256);
          bad[Math.floor(k / 256)]![(k % 256) >> 3]! ^= 1 << (k % 8);
          expect(verifyInclusion(leaves[i]!, i, n, bad, root)).toBe(false);
        }
        const oldRoot = rootFromLeafHashes(leaves.slice(0, m));
        const cp = await consistencyProof(m, n, reader);
        expect(verifyConsistency(m, n, oldRoot, root, cp)).toBe(m > 0);
        if (cp.length > 0) {
          expect(verifyConsistency(m, n, oldRoot, root, cp.slice(1))).toBe(false);
          expect(verifyConsistency(m, n, oldRoot, rootFromLeafHashes([...leaves, leaves[0]!]), cp)).toBe(false);
          expect(verifyConsistency(m, n, rootFromLeafHashes([leaves[0]!, ...leaves.slice(0, m - 1)]), root, cp)).toBe(m === 1);
        }
      }),
      { numRuns: RUNS ?? 200 },
    );
  });

  it('works at sizes near 2^53 without 32-bit overflow', () => {
    // A right-most leaf in a huge tree: proof elements are the left siblings along the edge.
    const size = 2 ** 53 - 1;
    const index = size - 1;
    // Build the path for a tree where every complete subtree hash is a fixed synthetic value.
    const sib = (lvl: number): Buffer => leafHash(Buffer.from([lvl]));
    // size - 1 = 2^53 - 2: binary 1...10, so the last leaf is alone at level 0 and every left
    // sibling is a complete subtree of 2^1 .. 2^52 leaves.
    const proof: Buffer[] = [];
    let r = leafHash(Buffer.from('last'));
    const leaf = r;
    for (let lvl = 1; lvl <= 52; lvl++) {
      proof.push(sib(lvl));
      r = nodeHash(sib(lvl), r);
    }
    expect(verifyInclusion(leaf, index, size, proof, r)).toBe(true);
    expect(verifyInclusion(leaf, index - 2, size, proof, r)).toBe(false);
    expect(verifyInclusion(leaf, index, 2 ** 53, proof, r)).toBe(false);
  });
});

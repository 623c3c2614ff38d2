import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ManualClock } from '@phiguard/core';
import S3rver from 's3rver';
import { describe, expect, it } from 'vitest';
import { describeBlobStoreContract } from './blob-store.contract.ts';
import { S3BlobStore } from './s3-blob-store.ts';

// s3rver 3.7 (a real S3 HTTP server, filesystem-backed) speaks PutObject/GetObject/HeadObject/
// ListObjectsV2/DeleteObject but has no Object Lock, versioning or If-None-Match: the lock tests
// of the contract are skipped here (docs/vault.md lists what stays untested against real S3).
function captureHeaders(client: S3Client, into: Record<string, string>[]): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = (args as { request?: { headers?: Record<string, string> } }).request;
      if (request?.headers !== undefined) into.push({ ...request.headers });
      return next(args);
    },
    { step: 'finalizeRequest', name: 'captureHeaders' },
  );
}

describeBlobStoreContract('s3 (s3rver)', {
  locks: false,
  async open(clock) {
    const dir = await mkdtemp(path.join(tmpdir(), 's3rver-'));
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(dir, 'data'), configureBuckets: [{ name: 'phiguard' }] });
    const { port } = await server.run();
    const client = new S3Client({
      endpoint: `http://127.0.0.1:${String(port)}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const store = new S3BlobStore({ client, bucket: 'phiguard', prefix: 'p/', spoolDir: path.join(dir, 'spool'), clock });
    return {
      store,
      tamper: async (hash, bytes) => {
        await client.send(new PutObjectCommand({ Bucket: 'phiguard', Key: `p/sha256/${hash.slice(7)}`, Body: bytes }));
      },
      close: async () => {
        client.destroy();
        await server.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
});

describe('S3BlobStore request headers (Object Lock, no overwrite, checksum)', () => {
  it('a locked put sends x-amz-object-lock-mode/retain-until-date/legal-hold, If-None-Match and the SHA-256 checksum', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 's3rver-'));
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(dir, 'data'), configureBuckets: [{ name: 'phiguard' }] });
    const { port } = await server.run();
    const client = new S3Client({
      endpoint: `http://127.0.0.1:${String(port)}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const headers: Record<string, string>[] = [];
    captureHeaders(client, headers);
    try {
      const until = Date.UTC(2033, 0, 1);
      const store = new S3BlobStore({ client, bucket: 'phiguard', spoolDir: path.join(dir, 'spool'), clock: new ManualClock(0) });
      const put = await store.put([Buffer.from('sealed')], { retainUntilMs: until, legalHold: true });
      const sent = headers.find((h) => h['x-amz-object-lock-mode'] !== undefined);
      expect(sent).toMatchObject({
        'x-amz-object-lock-mode': 'COMPLIANCE',
        'x-amz-object-lock-retain-until-date': '2033-01-01T00:00:00Z', // RFC 3339, as S3 documents it
        'x-amz-object-lock-legal-hold': 'ON',
        'if-none-match': '*',
        'x-amz-checksum-sha256': Buffer.from(put.hash.slice(7), 'hex').toString('base64'),
      });
    } finally {
      client.destroy();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

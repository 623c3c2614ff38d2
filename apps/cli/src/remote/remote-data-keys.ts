import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { DATA_KEY_BYTES, fileSource, KeysError, readFrameLayout, sealStream, unsealStream, type DataKey, type KeyProvider, type WrappedDataKey } from '@phiguard/keys';
import type { CliContext } from '../context.ts';
import { parseContext, streamToFile, unsealedName } from '../keys/sealed-files.ts';
import type { Remote } from './remote-mode.ts';
import { RemoteError } from './remote-error.ts';

interface WireWrapped { readonly provider: string; readonly keyId: string; readonly version: number; readonly wrapped: string }

export interface SealFlags { readonly key: string; readonly out?: string; readonly context?: string[]; readonly frameSize?: number; readonly keyFile?: string }
export interface UnsealFlags { readonly out?: string; readonly keyFile?: string }

const seg = (s: string): string => encodeURIComponent(s);

/** The server's key file is the server's: `--key-file` names a file of this machine. */
export function refuseKeyFile(o: { readonly keyFile?: string }): void {
  if (o.keyFile !== undefined) throw new RemoteError('local-only', '--key-file unlocks a keystore on this machine; the server uses its own unlock secret', { place: { field: '--key-file' } });
}

function dataKeyFrom(text: string): Buffer {
  const key = Buffer.from(text, 'base64');
  if (key.length !== DATA_KEY_BYTES) {
    key.fill(0);
    throw new RemoteError('bad-answer', 'the server answered a data key of the wrong length', { place: { field: 'plaintext' } });
  }
  return key;
}

const unavailable = (): never => {
  throw new KeysError('provider-unavailable', 'this data key was issued for one envelope only', { place: { field: 'provider' } });
};

/**
 * `phiguard keys seal|unseal FILE --server URL`: the file never leaves this machine. Seal asks the
 * server for a fresh data key (GenerateDataKey: the DEK and its wrap, over TLS 1.3), seals here in
 * the same envelope format as the local command and zeroes the DEK; unseal sends only the header's
 * wrapped DEK (Decrypt), unseals here, and zeroes it. Each is a `key.use` decision and a ledger
 * entry on the server, as the logged-in user with the stated purpose of use.
 */
export function remoteDataKeys(ctx: CliContext): {
  seal: (r: Remote, file: string, o: SealFlags) => Promise<void>;
  unseal: (r: Remote, file: string, o: UnsealFlags) => Promise<void>;
} {
  const say = (line: string): void => {
    ctx.stdout.write(`${line}\n`);
  };
  return {
    async seal(r, file, o) {
      refuseKeyFile(o);
      const context = parseContext(o.context);
      const input = path.resolve(ctx.cwd, file);
      const out = path.resolve(ctx.cwd, o.out ?? `${file}.pge`);
      // A missing input fails here, before a data key is issued (and ledgered) for nothing.
      await stat(input);
      const answer = await r.client.json<{ plaintext: string; wrapped: WireWrapped }>('POST', `/v1/keys/${seg(o.key)}/generate-data-key`, r.purpose === undefined ? {} : { purpose: r.purpose });
      const plaintext = dataKeyFrom(answer.plaintext);
      const dataKey: DataKey = { plaintext, wrapped: { ...answer.wrapped, wrapped: Buffer.from(answer.wrapped.wrapped, 'base64') } };
      // A provider that hands out this one data key: sealStream derives the message key and zeroes the DEK.
      const issued: KeyProvider = {
        id: dataKey.wrapped.provider,
        generateDataKey: (keyId) => (keyId === o.key ? Promise.resolve(dataKey) : Promise.reject(new KeysError('unknown-key', 'not the key the data key was issued for', { place: { field: 'key' } }))),
        wrapDataKey: unavailable, unwrapDataKey: unavailable, rewrapDataKey: unavailable, describeKey: unavailable,
      };
      let bytes: number;
      try {
        bytes = await streamToFile(ctx, input, out, (source) => sealStream(source, { wrapWith: [{ provider: issued, keyId: o.key }], context, ...(o.frameSize === undefined ? {} : { frameSize: o.frameSize }) }), 'sealing');
      } finally {
        plaintext.fill(0);
      }
      say(`sealed ${path.relative(ctx.cwd, out)} (${String(bytes)} bytes of plaintext)`);
    },

    async unseal(r, file, o) {
      refuseKeyFile(o);
      const input = path.resolve(ctx.cwd, file);
      const out = path.resolve(ctx.cwd, o.out ?? unsealedName(file));
      const handle = await open(input, 'r');
      let wrappedKeys: readonly WrappedDataKey[];
      try {
        wrappedKeys = (await readFrameLayout(fileSource(handle))).header.wrappedKeys;
      } finally {
        await handle.close();
      }
      // Ask the server for the first wrapped DEK it will decrypt; its refusal (forbidden, key-destroyed, …) is the answer otherwise.
      let dek: { key: Buffer; wrapped: WrappedDataKey } | undefined;
      let refusal: unknown = new KeysError('no-usable-key', 'the envelope names no data key', { place: { field: 'keys' } });
      for (const w of wrappedKeys) {
        try {
          const answer = await r.client.json<{ plaintext: string }>('POST', `/v1/keys/${seg(w.keyId)}/decrypt-data-key`, {
            body: { provider: w.provider, version: w.version, wrapped: Buffer.from(w.wrapped).toString('base64') },
            ...(r.purpose === undefined ? {} : { purpose: r.purpose }),
          });
          dek = { key: dataKeyFrom(answer.plaintext), wrapped: w };
          break;
        } catch (error) {
          refusal = error;
        }
      }
      if (dek === undefined) throw refusal;
      const released = dek;
      const same = (w: WrappedDataKey): boolean => w.provider === released.wrapped.provider && w.keyId === released.wrapped.keyId && w.version === released.wrapped.version && Buffer.from(w.wrapped).equals(Buffer.from(released.wrapped.wrapped));
      // openHeader zeroes the copy it gets; the original is zeroed below.
      const once: KeyProvider = {
        id: released.wrapped.provider,
        unwrapDataKey: (w) => (same(w) ? Promise.resolve(Buffer.from(released.key)) : Promise.reject(new KeysError('unwrap-failed', 'not the data key the server decrypted', { place: { field: 'keys' } }))),
        generateDataKey: unavailable, wrapDataKey: unavailable, rewrapDataKey: unavailable, describeKey: unavailable,
      };
      try {
        await streamToFile(ctx, input, out, (source) => unsealStream(source, { providers: [once] }), 'unsealing');
      } finally {
        released.key.fill(0);
      }
      say(`unsealed ${path.relative(ctx.cwd, out)}`);
    },
  };
}

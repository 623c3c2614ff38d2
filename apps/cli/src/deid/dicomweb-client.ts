import { BaseError } from '@phiguard/core';

/**
 * A small DICOMweb client (PS3.18): QIDO-RS search (§10.6) and WADO-RS retrieve of instances
 * (§10.4) as multipart/related; type="application/dicom" (§8.6.1.2, RFC 2387). The CLI side does
 * the HTTP; `packages/deid` stays pure.
 */

export type DicomWebErrorCode = 'http' | 'bad-response' | 'bad-multipart';

/** A PACS answered with an error or something that is not DICOMweb. Messages name URLs' paths and statuses, never data. */
export class DicomWebError extends BaseError<DicomWebErrorCode> {}

export interface DicomWebClientOptions {
  /** Base URL of the DICOMweb service, e.g. `http://pacs:8042/dicom-web`. */
  readonly baseUrl: string;
  /** Extra headers, e.g. `Authorization`. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly fetch?: typeof fetch;
}

/** What a QIDO-RS instance search gives back, enough to retrieve it. UIDs are PHI-adjacent: never logged. */
export interface InstanceRef {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly sopInstanceUid: string;
}

type DicomJson = Record<string, { readonly vr?: string; readonly Value?: readonly unknown[] } | undefined>;

function first(dataset: DicomJson, tag: string): string | undefined {
  const v = dataset[tag]?.Value?.[0];
  return typeof v === 'string' ? v : undefined;
}

const UID = /^[0-9]+(\.[0-9]+)*$/;

function checkUid(uid: string, field: string): string {
  if (!UID.test(uid) || uid.length > 64) throw new DicomWebError('bad-response', 'a UID in the answer is not a valid UID', { place: { field } });
  return uid;
}

/** Splits a multipart/related body into its parts' bodies (RFC 2046 §5.1.1, RFC 2387). */
export function parseMultipartRelated(body: Uint8Array, contentType: string): Uint8Array[] {
  const m = /boundary="?([^";]+)"?/i.exec(contentType);
  if (!/^multipart\/related/i.test(contentType.trim()) || m?.[1] === undefined) {
    throw new DicomWebError('bad-multipart', 'the answer is not multipart/related with a boundary', { place: { field: 'Content-Type' } });
  }
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiter = Buffer.from(`--${m[1]}`, 'latin1');
  const parts: Uint8Array[] = [];
  let at = buf.indexOf(delimiter);
  if (at === -1) throw new DicomWebError('bad-multipart', 'no boundary found in the multipart body', { place: { field: 'body' } });
  for (;;) {
    const afterDelimiter = at + delimiter.length;
    // "--" after the delimiter closes the body.
    if (buf[afterDelimiter] === 0x2d && buf[afterDelimiter + 1] === 0x2d) return parts;
    const headerEnd = buf.indexOf('\r\n\r\n', afterDelimiter, 'latin1');
    if (headerEnd === -1) throw new DicomWebError('bad-multipart', 'a part has no header end', { place: { index: parts.length } });
    const start = headerEnd + 4;
    const next = buf.indexOf(Buffer.concat([Buffer.from('\r\n', 'latin1'), delimiter]), start);
    if (next === -1) throw new DicomWebError('bad-multipart', 'a part has no closing boundary', { place: { index: parts.length } });
    parts.push(body.subarray(start, next));
    at = next + 2;
  }
}

export class DicomWebClient {
  readonly #base: string;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #fetch: typeof fetch;

  constructor(options: DicomWebClientOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#headers = options.headers ?? {};
    this.#fetch = options.fetch ?? fetch;
  }

  async #get(path: string, accept: string): Promise<Response> {
    const response = await this.#fetch(`${this.#base}${path}`, { headers: { ...this.#headers, Accept: accept } });
    if (!response.ok) {
      // UIDs in the path are replaced: they identify studies and must not reach messages.
      const where = (path.split('?')[0] ?? path).replace(/\d+(?:\.\d+)+/g, '{uid}');
      throw new DicomWebError('http', `the DICOMweb service answered HTTP ${String(response.status)}`, { place: { path: where } });
    }
    return response;
  }

  async #json(path: string): Promise<DicomJson[]> {
    const response = await this.#get(path, 'application/dicom+json');
    // 204 No Content: no match (PS3.18 §10.6.3).
    if (response.status === 204) return [];
    const body: unknown = await response.json();
    if (!Array.isArray(body)) throw new DicomWebError('bad-response', 'QIDO-RS answer is not a JSON array', { place: { path } });
    return body as DicomJson[];
  }

  /** QIDO-RS `GET /studies?…` (PS3.18 §10.6): Study Instance UIDs matching the query keys. */
  async searchStudies(query: Readonly<Record<string, string>> = {}): Promise<string[]> {
    const qs = new URLSearchParams(query).toString();
    const studies = await this.#json(`/studies${qs === '' ? '' : `?${qs}`}`);
    return studies.map((s, i) => checkUid(first(s, '0020000D') ?? '', `studies[${String(i)}].0020000D`));
  }

  /** QIDO-RS `GET /studies/{study}/instances` (PS3.18 §10.6.1.2). */
  async searchInstances(studyInstanceUid: string): Promise<InstanceRef[]> {
    const instances = await this.#json(`/studies/${checkUid(studyInstanceUid, 'study')}/instances`);
    return instances.map((x, i) => ({
      studyInstanceUid: checkUid(first(x, '0020000D') ?? studyInstanceUid, `instances[${String(i)}].0020000D`),
      seriesInstanceUid: checkUid(first(x, '0020000E') ?? '', `instances[${String(i)}].0020000E`),
      sopInstanceUid: checkUid(first(x, '00080018') ?? '', `instances[${String(i)}].00080018`),
    }));
  }

  /** WADO-RS `GET /studies/{s}/series/{se}/instances/{i}` as a Part 10 file (PS3.18 §10.4.1.1.3). */
  async retrieveInstance(ref: InstanceRef): Promise<Uint8Array> {
    const path = `/studies/${checkUid(ref.studyInstanceUid, 'study')}/series/${checkUid(ref.seriesInstanceUid, 'series')}/instances/${checkUid(ref.sopInstanceUid, 'instance')}`;
    const response = await this.#get(path, 'multipart/related; type="application/dicom"; transfer-syntax=*');
    const body = new Uint8Array(await response.arrayBuffer());
    const parts = parseMultipartRelated(body, response.headers.get('content-type') ?? '');
    const part = parts[0];
    if (parts.length !== 1 || part === undefined) throw new DicomWebError('bad-response', 'WADO-RS instance answer must hold exactly one part', { place: { path: '/studies/…/instances/…' } });
    return part;
  }
}

import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { Job } from 'kubernetes-models/batch/v1';
import { makeTestTls } from './test-tls.ts';

type KubeObject = { metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown }; [k: string]: unknown };
type Kind = 'jobs' | 'pods';
interface StoredEvent {
  readonly rv: number;
  readonly kind: Kind;
  readonly namespace: string;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: KubeObject;
}
interface Watcher {
  readonly kind: Kind;
  readonly namespace: string;
  readonly selector: string | undefined;
  readonly res: ServerResponse;
}

/** One request as the stand-in saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly authorized: boolean;
}

const ROUTE = /^\/(?:apis\/batch\/v1|api\/v1)\/namespaces\/([a-z0-9-]+)\/(jobs|pods)(?:\/([a-z0-9.-]+))?$/;
const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** `k=v,k2=v2,k3` (equality and existence terms, as the backend uses them). */
export function matchesSelector(labels: Readonly<Record<string, string>> | undefined, selector: string | undefined): boolean {
  if (selector === undefined || selector === '') return true;
  return selector.split(',').every((term) => {
    const [key = '', value] = term.split('=');
    return value === undefined ? labels?.[key] !== undefined : labels?.[key] === value;
  });
}

function status(code: number, reason: string, message: string): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/**
 * A local HTTPS stand-in for the parts of the Kubernetes API server the backend uses: create,
 * read, list, watch and delete of batch/v1 Jobs, list and watch of pods, bearer-token auth,
 * `Status` errors (401, 404, 409 AlreadyExists, 422 Invalid against the OpenAPI schema),
 * resourceVersions and watch streams (JSON lines), the Job defaulting that adds the controller's
 * labels, and foreground deletion that removes a Job's pods first. What the kubelet and the Job
 * controller would do (pods appearing, conditions) the test does through the `put*` methods.
 */
export class KubeApiStandIn {
  readonly url: string;
  readonly caPem: string;
  readonly token: string;
  readonly requests: SeenRequest[] = [];
  readonly #server: Server;
  readonly #objects = new Map<string, KubeObject>();
  readonly #events: StoredEvent[] = [];
  readonly #watchers = new Set<Watcher>();
  #rv = 100;

  private constructor(server: Server, url: string, caPem: string, token: string) {
    this.#server = server;
    this.url = url;
    this.caPem = caPem;
    this.token = token;
  }

  static async start(token = randomUUID()): Promise<KubeApiStandIn> {
    const tls = makeTestTls();
    const server = createServer({ cert: tls.certPem, key: tls.keyPem, minVersion: 'TLSv1.2' });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const stand = new KubeApiStandIn(server, `https://127.0.0.1:${String((server.address() as AddressInfo).port)}`, tls.caPem, token);
    server.on('request', (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        stand.#handle(req.method ?? 'GET', req.url ?? '/', req.headers.authorization, body, res);
      });
    });
    return stand;
  }

  /** Every stored object of a kind in a namespace. */
  list(kind: Kind, namespace: string): KubeObject[] {
    return [...this.#objects.entries()].filter(([key]) => key.startsWith(`${kind}/${namespace}/`)).map(([, o]) => structuredClone(o));
  }

  /** Sets a Job's status, as the Job controller would. */
  putJobStatus(namespace: string, name: string, jobStatus: object): void {
    const job = this.#objects.get(`jobs/${namespace}/${name}`);
    if (job === undefined) throw new Error(`no job ${name}`);
    this.#store('jobs', namespace, { ...job, status: jobStatus }, 'MODIFIED');
  }

  /** Creates or replaces a pod of a Job (labels copied from the Job's template), as the Job controller and kubelet would. */
  putPod(namespace: string, jobName: string, podName: string, podStatus: object): void {
    const job = this.#objects.get(`jobs/${namespace}/${jobName}`);
    if (job === undefined) throw new Error(`no job ${jobName}`);
    const template = (job.spec as { template: { metadata: { labels: Record<string, string> } } }).template;
    const key = `pods/${namespace}/${podName}`;
    const existing = this.#objects.get(key);
    const pod: KubeObject = existing ?? { apiVersion: 'v1', kind: 'Pod', metadata: { name: podName, namespace, uid: randomUUID(), labels: { ...template.metadata.labels } } };
    this.#store('pods', namespace, { ...pod, status: podStatus }, existing === undefined ? 'ADDED' : 'MODIFIED');
  }

  /** Ends every open watch stream, as an API server does at its watch timeout; clients must resume. */
  endWatches(): void {
    for (const w of this.#watchers) w.res.end();
    this.#watchers.clear();
  }

  async close(): Promise<void> {
    this.endWatches();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => { resolve(); }));
  }

  #store(kind: Kind, namespace: string, object: KubeObject, type: 'ADDED' | 'MODIFIED' | 'DELETED'): void {
    const rv = ++this.#rv;
    const stored: KubeObject = { ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } };
    const key = `${kind}/${namespace}/${stored.metadata.name}`;
    if (type === 'DELETED') this.#objects.delete(key);
    else this.#objects.set(key, stored);
    const event: StoredEvent = { rv, kind, namespace, type, object: stored };
    this.#events.push(event);
    for (const w of this.#watchers) if (w.kind === kind && w.namespace === namespace && matchesSelector(stored.metadata.labels, w.selector)) w.res.write(`${JSON.stringify({ type, object: stored })}\n`);
  }

  #send(res: ServerResponse, code: number, body: object): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  #handle(method: string, rawUrl: string, authorization: string | undefined, body: string, res: ServerResponse): void {
    const url = new URL(rawUrl, this.url);
    const query = Object.fromEntries(url.searchParams);
    const authorized = authorization === `Bearer ${this.token}`;
    this.requests.push({ method, path: url.pathname, query, authorized });
    if (!authorized) {
      this.#send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    const route = ROUTE.exec(url.pathname);
    if (route === null) {
      this.#send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    const [, namespace, kind, name] = route as unknown as [string, string, Kind, string | undefined];
    const key = `${kind}/${namespace}/${name ?? ''}`;
    if (method === 'GET' && name === undefined && query.watch === 'true') this.#watch(kind, namespace, query, res);
    else if (method === 'GET' && name === undefined) {
      const items = this.list(kind, namespace).filter((o) => matchesSelector(o.metadata.labels, query.labelSelector));
      this.#send(res, 200, { apiVersion: kind === 'jobs' ? 'batch/v1' : 'v1', kind: kind === 'jobs' ? 'JobList' : 'PodList', metadata: { resourceVersion: String(this.#rv) }, items });
    } else if (method === 'GET') {
      const object = this.#objects.get(key);
      if (object === undefined) this.#send(res, 404, status(404, 'NotFound', `${kind} "${name ?? ''}" not found`));
      else this.#send(res, 200, object);
    } else if (method === 'POST' && kind === 'jobs' && name === undefined) this.#create(namespace, body, query.fieldValidation === 'Strict', res);
    else if (method === 'DELETE' && kind === 'jobs' && name !== undefined) this.#delete(namespace, name, body, res);
    else this.#send(res, 405, status(405, 'MethodNotAllowed', 'method not allowed'));
  }

  #watch(kind: Kind, namespace: string, query: Record<string, string>, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const since = Number(query.resourceVersion ?? '0');
    for (const e of this.#events)
      if (e.rv > since && e.kind === kind && e.namespace === namespace && matchesSelector(e.object.metadata.labels, query.labelSelector))
        res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
    const watcher: Watcher = { kind, namespace, selector: query.labelSelector, res };
    this.#watchers.add(watcher);
    res.on('close', () => this.#watchers.delete(watcher));
  }

  #create(namespace: string, body: string, strict: boolean, res: ServerResponse): void {
    const job = JSON.parse(body) as KubeObject & { spec: { template: { metadata?: { labels?: Record<string, string> } } } };
    // fieldValidation=Strict: a field the API does not know is a 400, not silently dropped.
    if (strict && !isDeepStrictEqual(JSON.parse(JSON.stringify(ObjectSerializer.serialize(job, 'V1Job', ''))), job)) {
      this.#send(res, 400, status(400, 'BadRequest', 'strict decoding error: unknown field'));
      return;
    }
    const name = job.metadata.name;
    if (!DNS1123.test(name) || name.length > 63) {
      this.#send(res, 422, status(422, 'Invalid', 'metadata.name: Invalid value'));
      return;
    }
    try {
      new Job(job).validate();
    } catch {
      this.#send(res, 422, status(422, 'Invalid', 'Job is invalid'));
      return;
    }
    if (this.#objects.has(`jobs/${namespace}/${name}`)) {
      this.#send(res, 409, status(409, 'AlreadyExists', `jobs.batch "${name}" already exists`));
      return;
    }
    const uid = randomUUID();
    // Job defaulting (pkg/registry/batch/job): the controller's selector and template labels.
    const controllerLabels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name };
    const labels = { ...job.spec.template.metadata?.labels, ...controllerLabels };
    const stored: KubeObject = {
      ...job,
      metadata: { ...job.metadata, namespace, uid, generation: 1, creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
      spec: { ...job.spec, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } }, template: { ...job.spec.template, metadata: { ...job.spec.template.metadata, labels } } },
      status: {},
    };
    this.#store('jobs', namespace, stored, 'ADDED');
    this.#send(res, 201, this.#objects.get(`jobs/${namespace}/${name}`) ?? {});
  }

  #delete(namespace: string, name: string, body: string, res: ServerResponse): void {
    const job = this.#objects.get(`jobs/${namespace}/${name}`);
    if (job === undefined) {
      this.#send(res, 404, status(404, 'NotFound', `jobs.batch "${name}" not found`));
      return;
    }
    const policy = body === '' ? undefined : (JSON.parse(body) as { propagationPolicy?: string }).propagationPolicy;
    const uid = job.metadata.uid as string;
    if (policy === 'Foreground') {
      this.#store('jobs', namespace, { ...job, metadata: { ...job.metadata, deletionTimestamp: new Date().toISOString(), finalizers: ['foregroundDeletion'] } }, 'MODIFIED');
    }
    const response = this.#objects.get(`jobs/${namespace}/${name}`) ?? job;
    // The garbage collector removes dependents (here: before the owner, as foreground deletion does).
    for (const pod of this.list('pods', namespace)) if (pod.metadata.labels?.['batch.kubernetes.io/controller-uid'] === uid) this.#store('pods', namespace, pod, 'DELETED');
    this.#store('jobs', namespace, response, 'DELETED');
    this.#send(res, 200, response);
  }
}

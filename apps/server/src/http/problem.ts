import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AccessError, type AccessErrorCode } from '@phiguard/access';
import { domainProblem } from './domain-problem.ts';

/** HTTP status of each access error code. */
const STATUS: Readonly<Record<AccessErrorCode, number>> = {
  'weak-password': 422, 'invalid-credentials': 401, 'account-locked': 423, 'rate-limited': 429, 'mfa-required': 401, 'mfa-invalid': 401,
  'mfa-replayed': 401, 'session-expired': 401, 'token-invalid': 401, 'api-key-invalid': 401, 'not-found': 404, conflict: 409,
  'policy-invalid': 500, 'sealed-secret-invalid': 500, forbidden: 403,
};

/** An RFC 9457 problem document: a stable code and the request id; never a data value or a stack. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly requestId: string;
  readonly field?: string;
}

export function problemFor(error: unknown, requestId: string): Problem {
  if (error instanceof AccessError) {
    const field = error.place?.field;
    return { type: `https://phiguard.dev/problems/${error.code}`, title: error.message, status: STATUS[error.code], code: error.code, requestId, ...(field === undefined ? {} : { field }) };
  }
  const domain = domainProblem(error, requestId);
  if (domain !== undefined) return domain;
  const fe = error as Partial<FastifyError>;
  if (fe.validation !== undefined) {
    // Fastify/ajv messages may quote the offending value: name the place only.
    const field = fe.validation[0]?.instancePath.replace(/^\//, '').replace(/\//g, '.') ?? '';
    return { type: 'https://phiguard.dev/problems/invalid-request', title: 'request does not match the schema', status: 400, code: 'invalid-request', requestId, ...(field === '' ? {} : { field }) };
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { type: 'https://phiguard.dev/problems/bad-request', title: 'request refused', status: fe.statusCode, code: typeof fe.code === 'string' ? fe.code.toLowerCase() : 'bad-request', requestId };
  }
  return { type: 'https://phiguard.dev/problems/internal', title: 'internal error', status: 500, code: 'internal', requestId };
}

export async function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const problem = problemFor(error, request.id);
  if (problem.status >= 500) request.log.error({ errorName: error instanceof Error ? error.name : 'unknown', code: problem.code }, 'request failed');
  await reply.code(problem.status).type('application/problem+json').send(problem);
}

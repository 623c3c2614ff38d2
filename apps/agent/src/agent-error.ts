import { BaseError } from '@phiguard/core';

/** Every way the agent refuses or fails. Messages name places and kinds, never data. */
export const AGENT_ERROR_CODES = ['config-invalid', 'workspace-not-memory', 'collector-unavailable', 'server-refused', 'release-refused', 'input-corrupt'] as const;
export type AgentErrorCode = (typeof AGENT_ERROR_CODES)[number];

export class AgentError extends BaseError<AgentErrorCode> {}

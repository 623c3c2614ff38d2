// Test and benchmark helpers (`@phiguard/agent/testing`): a whole control plane on one machine and
// the real agent as a child process. Not for production use.
export { startAgentProcess, AGENT_BIN, type AgentProcess } from './agent-process.ts';
export { startLocalControlPlane, type LocalControlPlane, type LocalControlPlaneOptions } from './local-control-plane.ts';

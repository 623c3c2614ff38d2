import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from './agent-config.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'agent-config-'));
const server = 'https://cp.example.org:8443';

describe('agent API key', () => {
  it('comes from PHIGUARD_AGENT_API_KEY', () => {
    expect(loadAgentConfig({ server }, { PHIGUARD_AGENT_API_KEY: 'phg_live_abc' }).apiKey).toBe('phg_live_abc');
  });

  it('comes from the file PHIGUARD_AGENT_API_KEY_FILE names (a mounted Secret), trailing newline dropped', () => {
    const file = path.join(dir, 'api-key');
    writeFileSync(file, 'phg_live_fromfile\n');
    expect(loadAgentConfig({ server }, { PHIGUARD_AGENT_API_KEY_FILE: file }).apiKey).toBe('phg_live_fromfile');
  });

  it('refuses both at once, an unreadable file, an empty file and none at all', () => {
    const file = path.join(dir, 'both');
    writeFileSync(file, 'phg_live_x');
    expect(() => loadAgentConfig({ server }, { PHIGUARD_AGENT_API_KEY: 'a', PHIGUARD_AGENT_API_KEY_FILE: file })).toThrow(/not both/);
    expect(() => loadAgentConfig({ server }, { PHIGUARD_AGENT_API_KEY_FILE: path.join(dir, 'missing') })).toThrow(/cannot read the API key file/);
    const empty = path.join(dir, 'empty');
    writeFileSync(empty, '\n');
    expect(() => loadAgentConfig({ server }, { PHIGUARD_AGENT_API_KEY_FILE: empty })).toThrow(/exactly one API key/);
    expect(() => loadAgentConfig({ server }, {})).toThrow(/PHIGUARD_AGENT_API_KEY_FILE/);
  });
});

describe('agent GPU evidence collector', () => {
  const env = { PHIGUARD_AGENT_API_KEY: 'phg_live_abc' };
  it('is none by default; nvidia-cc takes the helper and PATH from the environment; file needs both files', () => {
    expect(loadAgentConfig({ server }, env).gpuCollector).toEqual({ kind: 'none' });
    expect(loadAgentConfig({ server, gpuCollector: 'nvidia-cc' }, { ...env, PATH: '/opt/nvidia/bin', PHIGUARD_AGENT_NVIDIA_HELPER: '/opt/phiguard/nvml-report' }).gpuCollector)
      .toEqual({ kind: 'nvidia-cc', helper: '/opt/phiguard/nvml-report', searchPath: '/opt/nvidia/bin' });
    expect(loadAgentConfig({ server }, { ...env, PHIGUARD_AGENT_GPU_COLLECTOR: 'file', PHIGUARD_AGENT_GPU_REPORT_FILE: 'r.bin', PHIGUARD_AGENT_GPU_CERT_CHAIN_FILE: 'c.pem' }).gpuCollector)
      .toEqual({ kind: 'file', report: 'r.bin', certChain: 'c.pem' });
    expect(() => loadAgentConfig({ server, gpuCollector: 'file' }, env)).toThrow(/gpuReportFile/);
    expect(() => loadAgentConfig({ server, gpuCollector: 'nvml' }, env)).toThrow(/gpuCollector must be one of none, nvidia-cc, file/);
  });
});

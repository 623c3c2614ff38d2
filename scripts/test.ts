// The whole test suite: type check, lint, then every test (unit, property, integration against
// real servers). `.ci/run` installs the servers; here we only check they are there and say how
// to get them when they are not, so a failure names its cause instead of timing out.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';

function run(command: string, args: readonly string[], onDone?: () => void): void {
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  onDone?.();
  if (result.status !== 0) {
    process.stderr.write(`\ntest: '${command} ${args.join(' ')}' failed after ${seconds}s\n`);
    process.exit(result.status ?? 1);
  }
  process.stdout.write(`test: '${command} ${args.join(' ')}' passed in ${seconds}s\n`);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

const problems: string[] = [];
if (!(await portOpen(5432))) problems.push('PostgreSQL is not listening on 127.0.0.1:5432 (trust auth expected)');
for (const [binary, pkg] of [
  ['/usr/sbin/rsyslogd', 'rsyslog rsyslog-gnutls'],
  ['/usr/bin/softhsm2-util', 'softhsm2'],
  ['/usr/bin/chromium', 'chromium'],
] as const) {
  if (!existsSync(binary)) problems.push(`${binary} is missing (apt-get install ${pkg})`);
}
if (problems.length > 0) {
  process.stderr.write(
    `test: the integration servers are not all here:\n- ${problems.join('\n- ')}\n` +
      'test: run `bash .ci/run` once as root (it installs and starts them), or install them by hand.\n',
  );
  process.exit(2);
}

const only = process.argv.slice(2);
if (only.length === 0) {
  run('tsc', ['-p', '.']);
  run('eslint', ['.', '--max-warnings', '0']);
}
// vitest's own summary is not a line CI recognises; print the plain 'N passed, N failed' one too.
const report = path.join(mkdtempSync(path.join(tmpdir(), 'phiguard-test-')), 'vitest.json');
run('vitest', ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...only], () => {
  if (!existsSync(report)) return;
  const totals = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  process.stdout.write(
    `\ntests: ${totals.numPassedTests} passed, ${totals.numFailedTests} failed, ${totals.numPendingTests + totals.numTodoTests} skipped\n`,
  );
});

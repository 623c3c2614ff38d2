import { exportTiles, type NoteVerifier, type TileLogReader } from '@phiguard/audit';
import type { CliContext } from '../context.ts';
import { AuditProgress } from './audit-progress.ts';

/** `audit export`, local or remote: writes the tiles with a progress bar and prints one summary line. */
export async function exportWithProgress(ctx: CliContext, reader: TileLogReader, outDir: string, shownDir: string, verifiers: readonly NoteVerifier[]): Promise<void> {
  const progress = new AuditProgress(ctx.stderr, 'export');
  try {
    const result = await exportTiles(reader, outDir, {
      verifiers,
      onProgress: (done, total) => {
        progress.update(done, total);
      },
    });
    progress.stop();
    ctx.stdout.write(`exported size ${String(result.size)} to ${shownDir}: ${String(result.written)} files written, ${String(result.skipped)} already there\n`);
  } finally {
    progress.stop();
  }
}

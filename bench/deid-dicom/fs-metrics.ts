// Keys of the per-file-system arms (docs/deid/dicom.md, "Benchmark"): files/s of each arm, the
// ratios to gdcmanon as users run it and in steady state, and the copy limit.
import type { FsArms } from './fs-arms.ts';

const r1 = (x: number): number => (Number.isFinite(x) ? Math.round(x * 10) / 10 : Number.NaN);
const r2 = (x: number): number => (Number.isFinite(x) ? Math.round(x * 100) / 100 : Number.NaN);

/** The metrics of one file system, every key ending in `suffix` (`''` for ext4, `_tmpfs`). */
export function fsMetrics(a: FsArms, suffix: string): Record<string, number> {
  const s = (arm: string): number => a.seconds[arm] ?? Number.NaN;
  const c = (arm: string): number => a.cpu[arm] ?? Number.NaN;
  const extra = a.nReplicated - a.n;
  // Steady state: the per-file cost with start-up subtracted (10·N run minus N run, medians).
  const steady = (one: string, many: string): number => extra / (s(many) - s(one));
  const steadyCpuUs = (one: string, many: string): number => ((c(many) - c(one)) / extra) * 1e6;
  const cliSteady = steady('cli', 'cliReplicated');
  const peerSteady = steady('gdcmanon', 'gdcmanonReplicated');
  const cliCpuUs = steadyCpuUs('cli', 'cliReplicated');
  const peerCpuUs = steadyCpuUs('gdcmanon', 'gdcmanonReplicated');
  const libraryCpuUs = (c('library-overlapped') / a.nReplicated) * 1e6;
  const libraryBlockingCpuUs = (c('library-blocking') / a.nReplicated) * 1e6;
  const copyCpuUs = (c('copy') / a.nReplicated) * 1e6;
  const library = a.nReplicated / s('library-overlapped');
  const libraryBlocking = a.nReplicated / s('library-blocking');
  const copy = a.nReplicated / s('copy');
  const keys: Record<string, number> = {
    // As users run them: one process over the folder, start-up included.
    cli_files_per_s: r1(a.n / s('cli')),
    gdcmanon_cli_files_per_s: r1(a.n / s('gdcmanon')),
    ratio_to_gdcmanon_cli: r2(s('gdcmanon') / s('cli')),
    cli_files_per_s_replicated: r1(a.nReplicated / s('cliReplicated')),
    gdcmanon_cli_files_per_s_replicated: r1(a.nReplicated / s('gdcmanonReplicated')),
    ratio_to_gdcmanon_cli_replicated: r2(s('gdcmanonReplicated') / s('cliReplicated')),
    cli_startup_ms: r1((s('cli') - a.n / cliSteady) * 1e3),
    gdcmanon_startup_ms: r1((s('gdcmanon') - a.n / peerSteady) * 1e3),
    // Steady state, start-up excluded.
    cli_files_per_s_steady: r1(cliSteady),
    gdcmanon_files_per_s_steady: r1(peerSteady),
    ratio_to_gdcmanon_steady: r2(cliSteady / peerSteady),
    cli_cpu_us_per_file_steady: Math.round(cliCpuUs),
    gdcmanon_cpu_us_per_file_steady: Math.round(peerCpuUs),
    // The same ratios from CPU time per file (user + sys): steadier than wall time on a shared machine.
    cpu_ratio_to_gdcmanon_steady: r2(peerCpuUs / cliCpuUs),
    cpu_ratio_to_gdcmanon_steady_library: r2(peerCpuUs / libraryCpuUs),
    cpu_ratio_to_gdcmanon_steady_library_blocking: r2(peerCpuUs / libraryBlockingCpuUs),
    cpu_max_ratio_to_gdcmanon_steady: r2(peerCpuUs / copyCpuUs),
    files_per_s_replicated: r1(library),
    files_per_s_replicated_blocking: r1(libraryBlocking),
    ratio_to_gdcmanon_steady_library: r2(library / peerSteady),
    ratio_to_gdcmanon_steady_library_blocking: r2(libraryBlocking / peerSteady),
    library_cpu_us_per_file: Math.round(libraryCpuUs),
    library_blocking_cpu_us_per_file: Math.round(libraryBlockingCpuUs),
    // The limit: the same files copied one by one (open, read, create, write, close).
    copy_files_per_s: r1(copy),
    copy_cpu_us_per_file: Math.round(copyCpuUs),
    cp_files_per_s: r1(a.nReplicated / s('cp')),
    ratio_to_copy_files: r2(library / copy),
    ratio_to_copy_files_blocking: r2(libraryBlocking / copy),
    gdcmanon_ratio_to_copy_files: r2(peerSteady / copy),
    // The most any tool could reach against gdcmanon per file: the copy's rate over gdcmanon's.
    max_ratio_to_gdcmanon_steady: r2(copy / peerSteady),
  };
  return Object.fromEntries(Object.entries(keys).map(([k, v]) => [`${k}${suffix}`, v]));
}

import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { localOnly } from '../remote/remote-mode.ts';
import type { EvalTextOptions } from './eval.ts';

// Registration only: the text engine (and an ONNX model) load when `eval text` runs (start-up time).

/** `phiguard eval text --gold DIR [--format brat|i2b2|presidio]`. */
export function registerEval(program: Command, ctx: CliContext): void {
  const group = program.command('eval').description('Measure de-identification quality against gold annotations');
  // The misses it prints hold gold PHI spans: they never leave this machine.
  localOnly(group, ctx, 'its report quotes the missed PHI of the gold corpus, which stays on this machine');
  group
    .command('text')
    .description('Recall, precision and F1 of the clinical text engine (token and span level, strict and relaxed, per category)')
    .requiredOption('--gold <dir|file>', 'gold annotations: BRAT (.txt + .ann), i2b2 2014 XML (.xml) or Presidio JSON (.json)')
    .option('--format <brat|i2b2|presidio>', 'gold format', 'brat')
    .option('--model <dir>', 'also run a local ONNX token-classification model folder (as deid text --model)')
    .option('--model-min-score <p>', 'drop model predictions under this probability (default 0.5)')
    .option('--misses <file>', 'where the list of misses goes (contains PHI; default .phiguard/eval/misses-<time>.json, mode 0600)')
    .addHelpText(
      'after',
      `
Misses (gold spans not fully found) are written to a private file for review, never printed.

Examples:
  $ phiguard eval text --gold ../shared/corpus/notes-meddocan-es
  $ phiguard eval text --gold ../shared/corpus/text-presidio-synthetic-pii --format presidio
  $ phiguard eval text --gold my-gold/ --model deid-onnx/          rules plus your model`,
    )
    .action(async (options: EvalTextOptions) => {
      const { runEvalText } = await import('./eval.ts');
      await runEvalText(program, ctx, options);
    });
}

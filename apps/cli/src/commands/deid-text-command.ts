import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { withDeidOptions } from '../deid/deid-options.ts';
import type { DeidTextOptions } from './deid-text.ts';

// Registration only: the engine, the ledger and the remote client load when the command runs (start-up time).

/** `phiguard deid text FILE|DIR --out DIR [--spans REVIEW_DIR] [--surrogates|--tags]`. */
export function registerDeidText(parent: Command, ctx: CliContext): void {
  withDeidOptions(
    parent
      .command('text')
      .description('De-identify clinical free text (.txt): names, dates, ids, contacts, places (all 18 Safe Harbor categories)')
      .argument('<inputs...>', 'text files or folders (searched recursively for .txt, .text, .note)')
      .option('--spans <dir>', 'also write the detected spans of each input as BRAT standoff (.ann: the input\'s offsets and text, PHI, for review) into DIR, a folder apart from --out, in the input layout')
      .option('--surrogates', 'replace with realistic surrogates, consistent per patient (names, shifted dates, same-shape ids)')
      .option('--tags', 'replace with category tags such as [NAME] and [DATE] (default)')
      .option('--patient <system|value>', 'the patient all inputs belong to, for the same pseudonyms and date shift as other formats')
      .option('--model <dir>', 'also run a local ONNX token-classification model (model.onnx, vocab.txt, config.json); off by default, never downloads')
      .option('--model-min-score <p>', 'drop model predictions under this probability (default 0.5)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ phiguard deid text notes/ --out deid-notes/                     tags, keeps the folder layout
  $ phiguard deid text note.txt --out out/ --spans review/           tags, plus review/note.ann (PHI) for review
  $ phiguard deid text notes/ --out out/ --surrogates --patient 'urn:oid:2.16.840.1.113883.19|12345'
  $ phiguard deid text notes/ --out out/ --model models/deid-bert-onnx/   rules plus your model (see docs/deid/text.md)`,
    )
    .action(async (inputs: string[], options: DeidTextOptions, command: Command) => {
      const { runDeidText } = await import('./deid-text.ts');
      await runDeidText(parent, ctx, inputs, options, command);
    });
}

import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import {
  createClinicalTextDeidentifier,
  evaluate,
  ID_CATEGORIES,
  pooledRecall,
  readBrat,
  readI2b2,
  readPresidio,
  type EvaluationReport,
  type GoldDocument,
  type Prf,
  type TextSpan,
} from '@phiguard/deid';
import type { CliContext } from '../context.ts';
import { loadModelFolder } from './deid-text.ts';

type GoldFormat = 'brat' | 'i2b2' | 'presidio';

export interface EvalTextOptions {
  readonly gold: string;
  readonly format: GoldFormat;
  readonly misses?: string;
  readonly model?: string;
  readonly modelMinScore?: string;
}

function filesUnder(dir: string, ext: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(ext)) out.push(full);
    }
  };
  if (statSync(dir).isDirectory()) walk(dir);
  else if (dir.endsWith(ext)) out.push(dir);
  return out;
}

/** Reads a gold folder (or file) in the given format; problems name the file, never its text. */
export function loadGold(gold: string, format: GoldFormat, stderr: NodeJS.WritableStream): GoldDocument[] {
  const docs: GoldDocument[] = [];
  const ext = format === 'brat' ? '.ann' : format === 'i2b2' ? '.xml' : '.json';
  for (const file of filesUnder(gold, ext)) {
    const id = path.relative(statSync(gold).isDirectory() ? gold : path.dirname(gold), file);
    const parsed =
      format === 'brat'
        ? readBrat(id, readFileSync(file.replace(/\.ann$/, '.txt'), 'utf8'), readFileSync(file, 'utf8'))
        : format === 'i2b2'
          ? readI2b2(id, readFileSync(file, 'utf8'))
          : readPresidio(id, readFileSync(file, 'utf8'));
    if (parsed.ok) docs.push(...parsed.documents);
    else stderr.write(`skipped: ${parsed.place}: ${parsed.reason}\n`);
  }
  return docs;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function row(label: string, p: Prf): string {
  return `${label.padEnd(24)} ${pct(p.recall).padStart(7)} ${pct(p.precision).padStart(9)} ${pct(p.f1).padStart(7)}`;
}

/** The printed report: overall token/span figures (strict and relaxed) and per-category recall and precision. */
export function formatReport(r: EvaluationReport): string {
  const lines = [
    `documents: ${String(r.documents)}`,
    `${'level'.padEnd(24)} ${'recall'.padStart(7)} ${'precision'.padStart(9)} ${'F1'.padStart(7)}`,
    row('tokens, relaxed', r.tokens.relaxed),
    row('tokens, strict', r.tokens.strict),
    row('spans, relaxed', r.spans.relaxed),
    row('spans, strict', r.spans.strict),
    '',
    `${'category'.padEnd(14)} ${'gold tok'.padStart(8)} ${'recall'.padStart(7)} ${'precision'.padStart(9)} ${'spans'.padStart(6)} ${'strict'.padStart(7)} ${'relaxed'.padStart(7)}`,
  ];
  for (const [cat, f] of Object.entries(r.perCategory)) {
    lines.push(
      `${cat.padEnd(14)} ${String(f.goldTokens).padStart(8)} ${pct(f.tokenRecall).padStart(7)} ${pct(f.tokenPrecision).padStart(9)} ${String(f.goldSpans).padStart(6)} ${pct(f.spanRecallStrict).padStart(7)} ${pct(f.spanRecallRelaxed).padStart(7)}`,
    );
  }
  lines.push('', `recall names ${pct(pooledRecall(r, ['name']))}, dates ${pct(pooledRecall(r, ['date']))}, ids ${pct(pooledRecall(r, ID_CATEGORIES))}`);
  return `${lines.join('\n')}\n`;
}

/** `phiguard eval text` (registered in eval-command.ts): scores the clinical text engine against the gold. */
export async function runEvalText(program: Command, ctx: CliContext, options: EvalTextOptions): Promise<void> {
  if (!['brat', 'i2b2', 'presidio'].includes(options.format)) {
    ctx.stderr.write('--format must be brat, i2b2 or presidio\n');
    process.exitCode = 2;
    return;
  }
  const docs = loadGold(path.resolve(ctx.cwd, options.gold), options.format, ctx.stderr);
  const model = options.model === undefined ? undefined : await loadModelFolder(path.resolve(ctx.cwd, options.model), options.modelMinScore);
  const engine = createClinicalTextDeidentifier({ asyncDetectors: model === undefined ? [] : [model.detector] });
  // The model runs asynchronously: detect every document first, then score.
  const found = new Map<GoldDocument, TextSpan[]>();
  try {
    for (const d of docs) {
      found.set(d, await engine.detectAsync(d.text));
      if (found.size % 500 === 0) ctx.stderr.write(`evaluated ${String(found.size)}/${String(docs.length)} documents\n`);
    }
  } finally {
    await model?.classifier.close();
  }
  const report = evaluate(docs, (d) => found.get(d) ?? []);
  ctx.stdout.write(formatReport(report));
  const globals = program.opts<{ config?: string }>();
  const missesFile = options.misses === undefined ? path.join(ctx.config(globals.config).home, 'eval', `misses-${new Date().toISOString().replace(/[:.]/g, '-')}.json`) : path.resolve(ctx.cwd, options.misses);
  mkdirSync(path.dirname(missesFile), { recursive: true, mode: 0o700 });
  writeFileSync(missesFile, `${JSON.stringify(report.misses, null, 2)}\n`, { mode: 0o600 });
  ctx.stdout.write(`${String(report.misses.length)} misses written to ${missesFile} (contains PHI: keep it local)\n`);
}

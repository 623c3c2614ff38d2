import { DeidTally, Hl7Deidentifier, KnownIdentifiersTextDeidentifier, MethodApplier, decodeHl7Bytes, encodeHl7Bytes, type Hl7IdentityRule, type TextDeidentifier } from '@phiguard/deid';
import type { FormatProcessor } from './batch-runner.ts';
import type { DeidSetup } from './deid-command.ts';

const EXTENSIONS = /\.(?:hl7|hl7v2|msg|txt|er7)$/i;

export interface Hl7ProcessorOptions {
  readonly identity?: Hl7IdentityRule;
  /** Today's date (ISO) for the over-89 rule when a message has no MSH-7. */
  readonly referenceDate: string;
  /** The free-text engine; defaults to the known-identifiers one. */
  readonly text?: TextDeidentifier;
}

/**
 * The HL7 v2 format for the batch runner: decodes each file losslessly (UTF-8 or Latin-1),
 * de-identifies every message, writes the file back in the same character set. A file counts as
 * failed only when none of its messages could be processed; otherwise failed messages are listed
 * as record problems (with their message number) and left out of the output.
 */
export function hl7v2Processor(setup: DeidSetup, options: Hl7ProcessorOptions): FormatProcessor {
  const methods = new MethodApplier(setup.profile, setup.key, {
    text: options.text ?? new KnownIdentifiersTextDeidentifier(),
    ...(setup.tokenizer === undefined ? {} : { tokenizer: setup.tokenizer }),
  });
  const deidentifier = new Hl7Deidentifier({
    factory: setup.factory,
    methods,
    referenceDate: options.referenceDate,
    ...(options.identity === undefined ? {} : { identity: options.identity }),
  });
  return {
    format: 'hl7v2',
    accepts: (relative) => EXTENSIONS.test(relative),
    process(input) {
      const { text, charset } = decodeHl7Bytes(input);
      const result = deidentifier.deidentify(text);
      const problems = result.problems.map((e) => ({ code: e.code, message: e.message, place: { ...e.place, index: e.place?.index ?? 0 } }));
      if (result.messages === 0 || result.failed === result.messages) {
        const first = result.problems[0];
        return {
          ok: false,
          problem: first === undefined ? { code: 'hl7-no-msh', message: 'no HL7 message in the file', place: {} } : { code: first.code, message: first.message, place: first.place ?? {} },
        };
      }
      const tally = new DeidTally();
      tally.merge(result.tally);
      return { ok: true, output: encodeHl7Bytes(result.text, charset), records: result.messages, tally, problems };
    },
  };
}

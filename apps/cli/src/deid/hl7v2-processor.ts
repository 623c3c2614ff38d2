import { DeidTally, Hl7Deidentifier, type Hl7Charset, MethodApplier, decodeHl7Bytes, encodeHl7Bytes, type Hl7IdentityRule, type TextDeidentifier } from '@phiguard/deid';
import type { FormatProcessor } from './batch-runner.ts';
import { freeTextEngine } from './free-text-engine.ts';
import type { DeidSetup } from './deid-command.ts';
import type { RecordedProblem } from './deid-journal.ts';
import { hl7CharsetOf, hl7MessageGroups, hl7Pieces, hl7PiecesLazy, terminatedLines, utf16Of } from './hl7v2-stream.ts';
import type { StreamOutcome } from './streamed-file.ts';

const EXTENSIONS = /\.(?:hl7|hl7v2|msg|txt|er7)$/i;
/** Files above this size are streamed message by message (constant memory); smaller ones are read whole. */
export const HL7_STREAM_BYTES = 8 * 2 ** 20;
/** Text that encodes to the same bytes in UTF-8 and Latin-1. */
const ASCII_TEXT = /^[\x00-\x7F]*$/u;

export interface Hl7ProcessorOptions {
  readonly identity?: Hl7IdentityRule;
  /** Today's date (ISO) for the over-89 rule when a message has no MSH-7. */
  readonly referenceDate: string;
  /** The free-text engine; defaults to the clinical one (free-text-engine.ts), as `--text-engine` does. */
  readonly text?: TextDeidentifier;
  /** Stream files above this many bytes (default {@link HL7_STREAM_BYTES}). */
  readonly streamBytes?: number;
}

/**
 * The HL7 v2 format for the batch runner: decodes each file losslessly (UTF-8 or Latin-1),
 * de-identifies every message, writes the file back in the same character set. A file counts as
 * failed only when none of its messages could be processed; otherwise failed messages are listed
 * as record problems (with their message number) and left out of the output.
 */
export function hl7v2Processor(setup: DeidSetup, options: Hl7ProcessorOptions): FormatProcessor {
  const methods = new MethodApplier(setup.profile, setup.key, {
    text: options.text ?? freeTextEngine('clinical'),
    ...(setup.tokenizer === undefined ? {} : { tokenizer: setup.tokenizer }),
  });
  const deidentifier = new Hl7Deidentifier({
    factory: setup.factory,
    methods,
    referenceDate: options.referenceDate,
    ...(options.identity === undefined ? {} : { identity: options.identity }),
  });
  const streamBytes = options.streamBytes ?? HL7_STREAM_BYTES;
  return {
    format: 'hl7v2',
    accepts: (relative) => EXTENSIONS.test(relative),
    stream: {
      accepts: (relative, bytes) => EXTENSIONS.test(relative) && bytes > streamBytes,
      process(file, _relative, sink): StreamOutcome {
        // Same result as the whole-file path: the charset (a pass over the file) is decided only once
        // a non-ASCII byte is met, in the input or in an output (ASCII is the same in both); the text
        // is cut into message groups; message numbers and lines continue across groups.
        // UTF-16 is known from the first bytes, and never ASCII-compatible: decided at once.
        const utf16 = utf16Of(file.chunks());
        let known: Hl7Charset | undefined = utf16;
        const charset = (): Hl7Charset => (known ??= hl7CharsetOf(file.chunks()));
        const tally = new DeidTally();
        const problems: RecordedProblem[] = [];
        let first: RecordedProblem | undefined;
        let messages = 0;
        let failed = 0;
        let lines = 0;
        const pieces = utf16 === undefined ? hl7PiecesLazy(file.chunks(), charset) : hl7Pieces(file.chunks(), utf16);
        for (const group of hl7MessageGroups(pieces)) {
          const result = deidentifier.deidentify(group);
          for (const e of result.problems) {
            const at = e.place ?? {};
            const place = { ...at, ...(at.line === undefined ? {} : { line: at.line + lines }), ...(at.index === undefined ? {} : { index: at.index + messages }) };
            first ??= { code: e.code, message: e.message, place };
            problems.push({ code: e.code, message: e.message, place: { ...place, index: place.index ?? 0 } });
          }
          tally.merge(result.tally);
          messages += result.messages;
          failed += result.failed;
          lines += terminatedLines(group);
          sink.write(encodeHl7Bytes(result.text, known ?? (ASCII_TEXT.test(result.text) ? 'utf-8' : charset())));
        }
        if (messages === 0 || failed === messages) {
          return { ok: false, problem: first === undefined ? { code: 'hl7-no-msh', message: 'no HL7 message in the file', place: {} } : first };
        }
        return { ok: true, records: messages, tally, problems };
      },
    },
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

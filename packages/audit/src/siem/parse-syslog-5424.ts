/** A parsed RFC 5424 SYSLOG-MSG (§6). NILVALUE fields are `-`. */
export interface ParsedSyslog5424 {
  readonly facility: number;
  readonly severity: number;
  readonly version: number;
  readonly timestamp: string;
  readonly hostname: string;
  readonly appName: string;
  readonly procId: string;
  readonly msgId: string;
  /** SD-ID → PARAM-NAME → unescaped PARAM-VALUE (§6.3). */
  readonly structuredData: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** MSG without its BOM; '' when absent. */
  readonly msg: string;
  readonly bom: boolean;
}

const HEADER = /^<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) /;

/**
 * Parses one SYSLOG-MSG, e.g. a frame a receiver wrote out, so tests and SIEM-side tooling can
 * check what PHIGuard sent. Returns undefined for anything that is not RFC 5424.
 */
export function parseSyslog5424(text: string): ParsedSyslog5424 | undefined {
  const header = HEADER.exec(text);
  if (header === null) return undefined;
  const pri = Number(header[1]);
  if (pri > 191) return undefined;
  const sd = parseStructuredData(text, header[0].length);
  if (sd === undefined) return undefined;
  let rest = text.slice(sd.end);
  if (rest !== '' && !rest.startsWith(' ')) return undefined;
  rest = rest.slice(1);
  const bom = rest.startsWith('\uFEFF');
  return {
    facility: pri >> 3,
    severity: pri & 7,
    version: Number(header[2]),
    timestamp: header[3] ?? '-',
    hostname: header[4] ?? '-',
    appName: header[5] ?? '-',
    procId: header[6] ?? '-',
    msgId: header[7] ?? '-',
    structuredData: sd.elements,
    msg: bom ? rest.slice(1) : rest,
    bom,
  };
}

function parseStructuredData(text: string, start: number): { elements: Record<string, Record<string, string>>; end: number } | undefined {
  const elements: Record<string, Record<string, string>> = {};
  if (text.startsWith('-', start)) return { elements, end: start + 1 };
  let i = start;
  while (text[i] === '[') {
    const id = /^[^\s=\]"]{1,32}/.exec(text.slice(i + 1, i + 34));
    if (id === null) return undefined;
    const params: Record<string, string> = {};
    i += 1 + id[0].length;
    while (text[i] === ' ') {
      const name = /^([^\s=\]"]{1,32})="/.exec(text.slice(i + 1, i + 36));
      if (name?.[1] === undefined) return undefined;
      i += 1 + name[0].length;
      let value = '';
      for (;;) {
        const c = text[i];
        if (c === undefined) return undefined;
        if (c === '"') break;
        const n = text[i + 1];
        // §6.3.3: a backslash escapes `"`, `\` and `]`; before anything else it is a plain backslash.
        if (c === '\\' && (n === '"' || n === '\\' || n === ']')) {
          value += n;
          i += 2;
        } else {
          value += c;
          i += 1;
        }
      }
      params[name[1]] = value;
      i += 1;
    }
    if (text[i] !== ']') return undefined;
    elements[id[0]] = params;
    i += 1;
  }
  return i === start ? undefined : { elements, end: i };
}

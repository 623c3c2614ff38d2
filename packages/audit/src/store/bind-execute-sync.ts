/**
 * The Bind, Execute and Sync messages of one run of a named prepared statement, in one buffer
 * (PostgreSQL 15 §55.7, Message Formats): unnamed portal, each parameter in text format (a
 * string, sent as UTF-8) or binary format (a Buffer), result columns in text format, no row
 * limit: the bytes node-postgres writes for the same call (`bind-execute-sync.test.ts`), sized
 * exactly first, so it is one allocation and one socket write instead of three.
 */
export function bindExecuteSync(statement: string, values: readonly (string | Buffer)[]): Buffer {
  const count = values.length;
  if (count > 0xffff) throw new TypeError('a statement takes at most 65,535 parameters');
  const nameBytes = Buffer.byteLength(statement, 'utf8');
  let payload = 0;
  const lengths = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const v = values[i] as string | Buffer;
    const n = typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length;
    lengths[i] = n;
    payload += 4 + n;
  }
  // Bind body: portal "" \0, statement \0, format count + codes, value count + values, one
  // result format code (text), as node-postgres writes it.
  const bindLength = 4 + 1 + nameBytes + 1 + 2 + 2 * count + 2 + payload + 4;
  const out = Buffer.allocUnsafe(1 + bindLength + EXECUTE_SYNC.length);
  let at = 0;
  out[at++] = 0x42; // 'B'
  at = out.writeInt32BE(bindLength, at);
  out[at++] = 0; // unnamed portal
  at += out.write(statement, at, 'utf8');
  out[at++] = 0;
  at = out.writeUInt16BE(count, at);
  for (let i = 0; i < count; i++) at = out.writeUInt16BE(typeof values[i] === 'string' ? 0 : 1, at);
  at = out.writeUInt16BE(count, at);
  for (let i = 0; i < count; i++) {
    const v = values[i] as string | Buffer;
    at = out.writeInt32BE(lengths[i] as number, at);
    at += typeof v === 'string' ? out.write(v, at, 'utf8') : v.copy(out, at);
  }
  at = out.writeUInt16BE(1, at); // one result format code for all columns: text
  at = out.writeUInt16BE(0, at);
  EXECUTE_SYNC.copy(out, at);
  return out;
}

// Execute 'E' (length 9, unnamed portal, no row limit), then Sync 'S' (length 4).
const EXECUTE_SYNC = Buffer.from([0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0x53, 0, 0, 0, 4]);

/** RFC 5425 §4.3 (RFC 6587 §3.4.1) octet-counting: `MSG-LEN SP SYSLOG-MSG`, MSG-LEN in octets. */
export function frameOctetCounting(syslogMsg: string): Buffer {
  const body = Buffer.from(syslogMsg, 'utf8');
  return Buffer.concat([Buffer.from(`${String(body.length)} `, 'ascii'), body]);
}

/**
 * Splits a received byte stream into frames; `rest` is an incomplete tail to prepend to the next
 * chunk. Throws TypeError on a stream that is not octet-counted.
 */
export function splitOctetCounted(buffer: Buffer): { frames: string[]; rest: Buffer } {
  const frames: string[] = [];
  let at = 0;
  for (;;) {
    const space = buffer.indexOf(0x20, at);
    if (space === -1) {
      if (buffer.length - at > 10) throw new TypeError('octet-counted stream: length prefix too long');
      break;
    }
    const digits = buffer.toString('ascii', at, space);
    if (!/^[1-9]\d{0,9}$/.test(digits)) throw new TypeError('octet-counted stream: bad MSG-LEN');
    const end = space + 1 + Number(digits);
    if (end > buffer.length) break;
    frames.push(buffer.toString('utf8', space + 1, end));
    at = end;
  }
  return { frames, rest: buffer.subarray(at) };
}

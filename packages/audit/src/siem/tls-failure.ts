import { SiemError } from './siem-error.ts';

const NETWORK_CODES = /^(ECONN|EHOST|ENET|ETIMEDOUT|EADDR|EPIPE|ENOTFOUND|EAI_)/;

/**
 * A connection failure as a {@link SiemError}: `connect-failed` when the peer could not be
 * reached, `tls-refused` when the handshake failed (protocol version, certificate, name), which
 * includes a peer that drops the connection during the handshake.
 */
export function classifyConnectFailure(error: Error, sinkId: string, tcpConnected: boolean): SiemError {
  if (error instanceof SiemError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  // A reset after the TCP connection was up is the peer refusing our handshake (e.g. no TLS 1.3).
  if (!tcpConnected && NETWORK_CODES.test(code))
    return new SiemError('connect-failed', 'cannot reach the SIEM receiver', { cause: error, place: { field: sinkId } });
  return new SiemError('tls-refused', 'TLS handshake with the SIEM receiver failed (version, certificate or name)', {
    cause: error,
    place: { field: sinkId },
    hint: 'the receiver must offer TLS 1.3 and a certificate for this host name signed by the configured CA',
  });
}

// Browser side of the login pages: WebAuthn options and answers as JSON (W3C WebAuthn Level 3
// §5.1, PublicKeyCredential.toJSON) with base64url (RFC 4648 §5) converted by hand: no library,
// nothing loaded from elsewhere. Secrets stay in memory: nothing goes to storage or into a URL.

/** @param {ArrayBuffer} buffer */
export function toBase64url(buffer) {
  let text = '';
  for (const byte of new Uint8Array(buffer)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** @param {string} text */
export function fromBase64url(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

/** PublicKeyCredentialRequestOptionsJSON → the options navigator.credentials.get takes. */
export function requestOptions(json) {
  return {
    ...json,
    challenge: fromBase64url(json.challenge),
    allowCredentials: (json.allowCredentials ?? []).map((c) => ({ ...c, id: fromBase64url(c.id) })),
  };
}

/** PublicKeyCredentialCreationOptionsJSON → the options navigator.credentials.create takes. */
export function creationOptions(json) {
  return {
    ...json,
    challenge: fromBase64url(json.challenge),
    user: { ...json.user, id: fromBase64url(json.user.id) },
    excludeCredentials: (json.excludeCredentials ?? []).map((c) => ({ ...c, id: fromBase64url(c.id) })),
  };
}

function common(credential) {
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    clientExtensionResults: credential.getClientExtensionResults(),
    ...(credential.authenticatorAttachment ? { authenticatorAttachment: credential.authenticatorAttachment } : {}),
  };
}

/** An assertion (navigator.credentials.get) as AuthenticationResponseJSON. */
export function assertionJson(credential) {
  const r = credential.response;
  return {
    ...common(credential),
    response: {
      clientDataJSON: toBase64url(r.clientDataJSON),
      authenticatorData: toBase64url(r.authenticatorData),
      signature: toBase64url(r.signature),
      ...(r.userHandle ? { userHandle: toBase64url(r.userHandle) } : {}),
    },
  };
}

/** An attestation (navigator.credentials.create) as RegistrationResponseJSON. */
export function attestationJson(credential) {
  const r = credential.response;
  return {
    ...common(credential),
    response: {
      clientDataJSON: toBase64url(r.clientDataJSON),
      attestationObject: toBase64url(r.attestationObject),
      transports: typeof r.getTransports === 'function' ? r.getTransports() : [],
    },
  };
}

/** A refusal of the API: its stable problem code (RFC 9457) and title. */
export class ApiProblem extends Error {
  constructor(status, code, title) {
    super(title);
    this.status = status;
    this.code = code;
  }
}

/** POST a JSON body to the API of this same origin; the JSON answer, or throws ApiProblem. */
export async function post(path, body, bearer) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
  let res;
  try {
    res = await fetch(path, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new ApiProblem(0, 'unreachable', 'the server could not be reached');
  }
  const text = await res.text();
  let json;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) throw new ApiProblem(res.status, json?.code ?? 'error', json?.title ?? 'request refused');
  return json;
}

/** Words for a refusal, by the server's stable code; `step` says what was being done. */
export function problemMessage(problem, step) {
  switch (problem.code) {
    case 'invalid-credentials': return 'User name or password is wrong.';
    case 'account-locked': return 'This account is locked after too many failures; ask an administrator to unlock it.';
    case 'rate-limited': return 'Too many failed attempts from this address: wait a minute, then try again.';
    case 'mfa-invalid': return step === 'code' ? 'The one-time code was not accepted.' : 'The passkey was not accepted by the server.';
    case 'mfa-replayed': return 'That one-time code was already used: wait for the next one.';
    case 'mfa-required': return step === 'passkey'
      ? 'No passkey is registered for this account (register one at /login/passkeys), or this login step expired: start again.'
      : 'This login step expired: start again.';
    case 'session-expired': return 'The session of this page ended: start again.';
    case 'not-found': return 'Passkeys are not configured on this server.';
    case 'invalid-request': return 'The server refused the request as malformed.';
    case 'unreachable': return 'The server could not be reached.';
    default: return `The server refused: ${problem.message}`;
  }
}

/** Words for a DOMException of navigator.credentials (W3C WebAuthn Level 3 §5.1.3, §5.1.4). */
export function ceremonyMessage(error, creating) {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError') return creating ? 'Creating the passkey was cancelled or timed out.' : 'The passkey step was cancelled or timed out. Enter your password to try again.';
  if (name === 'InvalidStateError') return 'This authenticator already holds a passkey for this account.';
  if (name === 'SecurityError') return 'The browser refused passkeys for this address: open the page at the server\'s public URL (its host name, not an IP address).';
  if (name === 'NotSupportedError') return 'This browser or authenticator does not support the passkey algorithms of this server.';
  return 'The browser could not complete the passkey step.';
}

/** Shows one message in the page's status line (text only: the page never builds HTML). */
export function show(kind, message) {
  const status = document.getElementById('status');
  const error = document.getElementById('error');
  status.textContent = kind === 'status' ? message : '';
  error.textContent = kind === 'error' ? message : '';
}

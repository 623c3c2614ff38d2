// The login page of `phiguard login --passkey` (RFC 8252 §7.3 loopback redirect, RFC 7636 PKCE):
// password, then the passkey assertion; the server answers a one-time code that this page hands to
// the CLI's loopback address with the CLI's state. The page never holds the session itself.
import { ApiProblem, assertionJson, ceremonyMessage, post, problemMessage, requestOptions, show } from './webauthn-json.js';

const STATE = /^[A-Za-z0-9_-]{22,128}$/;
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const LOOPBACK = /^http:\/\/127\.0\.0\.1:[1-9][0-9]{0,4}\/[A-Za-z0-9/_-]{0,64}$/;

function request() {
  const q = new URLSearchParams(location.search);
  const wanted = { state: q.get('state') ?? '', codeChallenge: q.get('code_challenge') ?? '', method: q.get('code_challenge_method') ?? '', redirectUri: q.get('redirect_uri') ?? '' };
  const valid = STATE.test(wanted.state) && CHALLENGE.test(wanted.codeChallenge) && wanted.method === 'S256' && LOOPBACK.test(wanted.redirectUri);
  return valid ? { ...wanted, hint: q.get('login_hint') ?? '' } : undefined;
}

/** Back to the CLI's loopback listener (RFC 6749 §4.1.2 parameters). */
function handBack(login, params) {
  const target = new URL(login.redirectUri);
  for (const [k, v] of Object.entries({ ...params, state: login.state })) target.searchParams.set(k, v);
  location.assign(target.href);
}

async function logIn(login, form) {
  const username = form.elements.username.value.trim();
  const password = form.elements.password.value;
  show('status', 'Checking your password…');
  let step = 'password';
  try {
    const challenge = await post('/v1/auth/login', { username, password });
    if (challenge.enrolment !== undefined) {
      show('error', 'This account has not finished its first login: run `phiguard login` (password and one-time code) once, then register a passkey.');
      return;
    }
    step = 'passkey';
    const options = await post('/v1/auth/passkey-options', { challengeId: challenge.challengeId });
    show('status', 'Use your passkey now.');
    let credential;
    try {
      credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
    } catch (error) {
      form.elements.password.value = '';
      show('error', ceremonyMessage(error, false));
      return;
    }
    show('status', 'Checking your passkey…');
    const { code } = await post('/v1/auth/loopback/authorize', {
      challengeId: challenge.challengeId, webauthn: assertionJson(credential),
      state: login.state, codeChallenge: login.codeChallenge, codeChallengeMethod: 'S256', redirectUri: login.redirectUri,
    });
    form.hidden = true;
    show('status', 'Logged in. Handing the login to the phiguard command line…');
    handBack(login, { code });
  } catch (error) {
    form.elements.password.value = '';
    show('error', error instanceof ApiProblem ? problemMessage(error, step) : 'Something went wrong in this page: start again.');
  }
}

function start() {
  const login = request();
  const form = document.getElementById('login-form');
  if (login === undefined) {
    show('error', 'Open this page from `phiguard login --passkey`: its address is incomplete or malformed.');
    return;
  }
  if (!window.PublicKeyCredential) {
    show('error', 'This browser does not support passkeys (WebAuthn).');
    return;
  }
  form.hidden = false;
  form.elements.username.value = login.hint;
  (login.hint === '' ? form.elements.username : form.elements.password).focus();
  let busy = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    document.getElementById('submit').disabled = true;
    logIn(login, form).finally(() => {
      busy = false;
      document.getElementById('submit').disabled = false;
    });
  });
  document.getElementById('cancel').addEventListener('click', () => {
    form.hidden = true;
    show('status', 'Login cancelled. You can close this tab.');
    handBack(login, { error: 'access_denied' });
  });
}

start();

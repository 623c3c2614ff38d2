// Registers a passkey for a user who proves password + one-time code (TOTP or recovery code) in
// this page. The session it opens lives in memory only and is ended (logout) when done.
import { ApiProblem, attestationJson, ceremonyMessage, creationOptions, post, problemMessage, show } from './webauthn-json.js';

async function register(form) {
  const username = form.elements.username.value.trim();
  const password = form.elements.password.value;
  const code = form.elements.code.value.trim();
  let step = 'password';
  let session;
  try {
    show('status', 'Checking your password…');
    const challenge = await post('/v1/auth/login', { username, password });
    if (challenge.enrolment !== undefined) {
      show('error', 'This account has not finished its first login: run `phiguard login` (password and one-time code) once, then come back.');
      return;
    }
    step = 'code';
    const factor = /^\d{6}$/.test(code) ? { totp: code } : { recoveryCode: code };
    session = (await post('/v1/auth/mfa', { challengeId: challenge.challengeId, ...factor })).sessionToken;
    step = 'register';
    const options = await post('/v1/auth/passkeys/registration-options', undefined, session);
    show('status', 'Create your passkey now.');
    let credential;
    try {
      credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
    } catch (error) {
      show('error', ceremonyMessage(error, true));
      return;
    }
    await post('/v1/auth/passkeys', attestationJson(credential), session);
    form.reset();
    show('status', 'Passkey registered. Log in with it: phiguard login --passkey');
  } catch (error) {
    show('error', error instanceof ApiProblem ? problemMessage(error, step) : 'Something went wrong in this page: start again.');
  } finally {
    form.elements.password.value = '';
    form.elements.code.value = '';
    // This page's session was only for the registration.
    if (session !== undefined) await post('/v1/auth/logout', undefined, session).catch(() => undefined);
  }
}

function start() {
  const form = document.getElementById('register-form');
  if (!window.PublicKeyCredential) {
    show('error', 'This browser does not support passkeys (WebAuthn).');
    form.hidden = true;
    return;
  }
  let busy = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    document.getElementById('submit').disabled = true;
    register(form).finally(() => {
      busy = false;
      document.getElementById('submit').disabled = false;
    });
  });
}

start();

// The sample app's page: vanilla JS, no build step, no SDK. It speaks the SuperTokens wire
// protocol directly: cookies carry the tokens, the front-token header tells the page who is
// signed in and until when, and a 401 "try refresh token" triggers one refresh and a retry.
'use strict';

const FRONT_TOKEN_KEY = 'sample-app:front-token';
const $ = (id) => document.getElementById(id);

/** Decoded front-token `{ uid, ate, up }`, or null when signed out. */
function frontToken() {
  const raw = sessionStorage.getItem(FRONT_TOKEN_KEY);
  if (!raw) return null;
  try {
    return JSON.parse(atob(raw));
  } catch {
    return null;
  }
}

/** Every response may carry a new front-token, or `remove` when the session is gone. */
function rememberFrontToken(response) {
  const header = response.headers.get('front-token');
  if (header === null) return;
  if (header === 'remove') sessionStorage.removeItem(FRONT_TOKEN_KEY);
  else sessionStorage.setItem(FRONT_TOKEN_KEY, header);
  render();
}

function log(line, data) {
  const text = data === undefined ? line : `${line}\n${JSON.stringify(data, null, 2)}`;
  $('log').textContent = `${new Date().toLocaleTimeString()}  ${text}\n\n${$('log').textContent}`.slice(0, 20000);
}

/** One request in cookie mode. `rid` satisfies the VIA_CUSTOM_HEADER anti-CSRF mode if the server uses it. */
async function send(method, path, body) {
  const headers = { 'st-auth-mode': 'cookie', rid: 'anti-csrf' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  rememberFrontToken(response);
  const data = await response.json().catch(() => null);
  return { status: response.status, data };
}

let refreshing = null;

/** POST /auth/session/refresh; concurrent callers share one refresh (the server would accept both anyway). */
function refresh() {
  refreshing ??= send('POST', '/auth/session/refresh')
    .then(({ status, data }) => {
      log(`POST /auth/session/refresh -> ${status}`, data);
      return status === 200;
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/** A request that refreshes the session once on 401 "try refresh token", then retries. */
async function call(method, path, body) {
  let result = await send(method, path, body);
  if (result.status === 401 && result.data && result.data.message === 'try refresh token') {
    log(`${method} ${path} -> 401 try refresh token: refreshing`);
    if (await refresh()) result = await send(method, path, body);
  }
  log(`${method} ${path} -> ${result.status}`, result.data);
  return result;
}

function credentials() {
  return { email: $('email').value, password: $('password').value };
}

/** A claim's value in the front-token payload (claims are stored as `{ v, t }`). */
function claim(token, key) {
  const entry = token.up && token.up[key];
  return entry && typeof entry === 'object' ? entry.v : undefined;
}

/** One line of the claims summary, green when the step is done. */
function claimSpan(label, value, done) {
  const span = document.createElement('span');
  span.className = done ? 'ok' : 'pending';
  span.textContent = `${label}: ${value}`;
  return span;
}

const SESSION_BUTTONS = ['me', 'refresh', 'signout', 'verify-code', 'resend-code', 'email-status', 'resend-link', 'articles', 'edit', 'dashboard', 'users', 'grant-button', 'revoke-button'];

function render() {
  const token = frontToken();
  const signedIn = token !== null;
  $('state').textContent = signedIn
    ? `Signed in as user ${token.uid}; access token expires at ${new Date(token.ate).toLocaleTimeString()}`
    : 'Signed out';
  const claims = $('claims');
  claims.replaceChildren();
  if (signedIn) {
    const roles = claim(token, 'st-role') || [];
    const permissions = claim(token, 'st-perm') || [];
    const secondFactor = claim(token, '2fa-completed') === true;
    const emailVerified = claim(token, 'st-ev') === true;
    claims.append(
      claimSpan('2FA', secondFactor ? 'completed' : 'code pending', secondFactor),
      claimSpan('email', emailVerified ? 'verified' : 'not verified', emailVerified),
      claimSpan('roles', roles.join(', ') || 'none', true),
      claimSpan('permissions', permissions.join(', ') || 'none', true),
    );
  }
  for (const id of SESSION_BUTTONS) $(id).disabled = !signedIn;
}

$('credentials').addEventListener('submit', (event) => {
  event.preventDefault();
  void call('POST', '/signin', credentials());
});
$('signup').addEventListener('click', () => void call('POST', '/signup', credentials()));
$('me').addEventListener('click', () => void call('GET', '/me'));
$('refresh').addEventListener('click', () => void refresh());
$('signout').addEventListener('click', () => void call('POST', '/auth/signout'));
$('second-factor').addEventListener('submit', (event) => {
  event.preventDefault();
  void call('POST', '/2fa/verify', { code: $('code').value.trim() });
});
$('resend-code').addEventListener('click', () => void call('POST', '/2fa/resend'));
$('email-status').addEventListener('click', () => void call('GET', '/verify-email/status'));
$('resend-link').addEventListener('click', () => void call('POST', '/verify-email/resend'));
$('articles').addEventListener('click', () => void call('GET', '/articles'));
$('edit').addEventListener('click', () => void call('POST', '/articles/1/edit', { title: `Edited at ${new Date().toLocaleTimeString()}` }));
$('dashboard').addEventListener('click', () => void call('GET', '/admin/dashboard'));
$('users').addEventListener('click', () => void call('GET', '/admin/users'));
const roleUrl = () => `/admin/users/${encodeURIComponent($('grant-user').value.trim())}/roles`;
$('grant').addEventListener('submit', (event) => {
  event.preventDefault();
  void call('POST', roleUrl(), { role: $('grant-role').value });
});
$('revoke-button').addEventListener('click', () => void call('DELETE', `${roleUrl()}/${encodeURIComponent($('grant-role').value)}`));

render();

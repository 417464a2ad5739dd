import Session from 'supertokens-web-js/recipe/session';
import { createApi } from './api';
import { isAdmin, PermissionClaim } from './claims';
import { readPageConfig } from './config';
import { byId, clearNotice, notify } from './dom';
import { initSuperTokens, type SessionEvent } from './supertokens';
import { recordActivity } from './views/activity';
import { AdminView } from './views/admin';
import { ArticlesView } from './views/articles';
import { DevicesView } from './views/devices';
import { loadProfileEmail, renderProfile, setUpProfile, themeOf } from './views/profile';
import { setUpSignIn } from './views/sign-in';
import { renderSignInSteps, setUpSignInSteps } from './views/sign-in-steps';

/**
 * The Newsroom page. Every view is derived from what the SDK knows about the session
 * (`doesSessionExist`, `getUserId`, `getAccessTokenPayloadSecurely`, `validateClaims`), and the
 * page re-renders whenever the SDK reports a change (`onHandleEvent`): sign-in, refresh, a new
 * payload in any answer, sign-out, a session ended by the server.
 */
type View = 'loading' | 'signed-out' | 'steps' | 'app';

const config = readPageConfig();
const api = createApi(config.apiDomain);
const articles = new ArticlesView(api);
const admin = new AdminView(api);
const devices = new DevicesView(api);
/** While the email is unverified, validate again this often: the SDK refetches `st-ev` when its value is 10 s old. */
const PENDING_RECHECK_MS = 3000;

let view: View = 'loading';
let queued = false;
let chain: Promise<void> = Promise.resolve();
let recheck: number | undefined;

function onSessionEvent(event: SessionEvent): void {
  recordActivity(event);
  if (event.action === 'UNAUTHORISED' && event.sessionExpiredOrRevoked) notify('Your session has ended. Please sign in again.', 'warning');
  if (event.action === 'SIGN_OUT' || event.action === 'SESSION_CREATED') clearNotice();
  scheduleRender();
}

/** Renders once after the current render, however many events arrive meanwhile. */
function scheduleRender(): void {
  if (queued) return;
  queued = true;
  chain = chain.then(async () => {
    queued = false;
    try {
      await render();
    } catch (error) {
      notify(`Something went wrong: ${error instanceof Error ? error.message : String(error)}`, 'warning');
    }
  });
}

function enter(next: View): boolean {
  const entering = view !== next;
  view = next;
  for (const name of ['loading', 'signed-out', 'steps', 'app'] as View[]) byId(`view-${name}`).hidden = name !== next;
  byId('account').hidden = next === 'signed-out' || next === 'loading';
  document.body.dataset.view = next;
  return entering;
}

async function render(): Promise<void> {
  window.clearTimeout(recheck);
  // Refreshes first if the access token has expired; false once the session is gone.
  if (!(await Session.doesSessionExist())) {
    enter('signed-out');
    document.body.classList.remove('theme-dark');
    return;
  }
  // Validation first: it may refetch a stale claim (st-ev), which changes the payload.
  const failures = await Session.validateClaims();
  const payload = await Session.getAccessTokenPayloadSecurely();
  const userId = await Session.getUserId();
  document.body.classList.toggle('theme-dark', themeOf(payload) === 'dark');
  if (failures.length > 0) {
    if (enter('steps')) byId('account-name').textContent = 'Signed in';
    renderSignInSteps(failures);
    recheck = window.setTimeout(scheduleRender, PENDING_RECHECK_MS);
    return;
  }
  const entering = enter('app');
  renderProfile(userId, payload);
  articles.setCanEdit(PermissionClaim.getValueFromPayload(payload)?.includes('edit') === true);
  const adminAllowed = (await Session.validateClaims({ overrideGlobalClaimValidators: (globals) => [...globals, isAdmin()] })).length === 0;
  const adminShown = !byId('admin-card').hidden;
  admin.setVisible(adminAllowed);
  if (entering) await Promise.all([loadProfileEmail(api), articles.load(), devices.load()]);
  if (adminAllowed && (entering || !adminShown)) await admin.load();
}

byId('transfer-mode').textContent = `${config.tokenTransferMethod} mode`;
byId<HTMLButtonElement>('signout').addEventListener('click', () => void Session.signOut());
initSuperTokens(config, api, onSessionEvent);
setUpSignIn(api);
setUpSignInSteps(api);
setUpProfile(api);
scheduleRender();

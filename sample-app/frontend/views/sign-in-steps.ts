import type { ClaimValidationError } from 'supertokens-web-js/recipe/session';
import EmailVerification from 'supertokens-web-js/recipe/emailverification';
import { type Api, errorMessage } from '../api';
import { EmailVerificationClaim, SecondFactorClaim } from '../claims';
import { busy, byId, notify } from '../dom';

function setBadge(id: string, done: boolean, pendingText: string, doneText: string): void {
  const badge = byId(id);
  badge.textContent = done ? doneText : pendingText;
  badge.className = `badge ${done ? 'done' : 'pending'}`;
}

/**
 * The "Finish signing in" view, shown while a frontend claim validator fails: the second factor
 * (`2fa-completed`) and the verified email (`st-ev`). Entering the code answers with the new
 * payload; the SDK fires `ACCESS_TOKEN_PAYLOAD_UPDATED` and the page moves on by itself.
 */
export function renderSignInSteps(failures: ClaimValidationError[]): void {
  const secondFactorDone = !failures.some((failure) => failure.id === SecondFactorClaim.id);
  const emailDone = !failures.some((failure) => failure.id === EmailVerificationClaim.id);
  setBadge('step-2fa-state', secondFactorDone, '2FA required', 'Done');
  byId('code-form').hidden = secondFactorDone;
  setBadge('step-email-state', emailDone, 'Not verified yet', 'Verified');
  byId('step-email-text').hidden = emailDone;
  byId('email-resend').hidden = emailDone;
}

export function setUpSignInSteps(api: Api): void {
  const codeError = byId('code-error');
  byId<HTMLFormElement>('code-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = byId<HTMLInputElement>('code');
    void busy(byId<HTMLButtonElement>('code-submit'), async () => {
      codeError.hidden = true;
      const result = await api<{ message?: string; attemptsLeft?: number }>('POST', '/2fa/verify', { code: input.value.trim() });
      input.value = '';
      if (result.ok) return;
      const left = result.body?.attemptsLeft;
      codeError.textContent = left === undefined ? errorMessage(result) : `Wrong code: ${left} ${left === 1 ? 'try' : 'tries'} left.`;
      codeError.hidden = false;
    });
  });
  byId<HTMLButtonElement>('code-resend').addEventListener('click', (event) => {
    void busy(event.currentTarget as HTMLButtonElement, async () => {
      const result = await api('POST', '/2fa/resend');
      if (result.ok) notify('A new code is in the server log.');
      else notify(`No new code: ${errorMessage(result)}`, 'warning');
    });
  });
  byId<HTMLButtonElement>('email-resend').addEventListener('click', (event) => {
    void busy(event.currentTarget as HTMLButtonElement, async () => {
      const result = await EmailVerification.sendVerificationEmail();
      notify(result.status === 'OK' ? 'A new link is in the server log.' : 'Your email is already verified.');
    });
  });
}

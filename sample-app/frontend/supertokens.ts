import SuperTokens from 'supertokens-web-js';
import EmailVerification from 'supertokens-web-js/recipe/emailverification';
import Session from 'supertokens-web-js/recipe/session';
import type { RecipeEvent } from 'supertokens-web-js/recipe/session/types';
import type { Api } from './api';
import { SecondFactorClaim } from './claims';
import type { PageConfig } from './config';

export type SessionEvent = RecipeEvent;

/**
 * SuperTokens' own frontend SDK, configured for the nest-session backend. This is all the
 * session handling the page has: the SDK keeps the tokens, refreshes them, and tells the page
 * (through `onHandleEvent`) when the session or its payload changed.
 *
 * - `Session`: the transfer method of the page; the global validators are the email-verification
 *   one (added by the EmailVerification recipe) plus the second factor.
 * - `EmailVerification`: its `EmailVerificationClaim` (`st-ev`) refetches a `false` value every
 *   10 s while the page validates claims. The sample's backend keeps its own routes, so the
 *   recipe's two network functions are pointed at them (the SDK's documented override).
 */
export function initSuperTokens(config: PageConfig, api: Api, onEvent: (event: SessionEvent) => void): void {
  SuperTokens.init({
    appInfo: { appName: 'Newsroom', apiDomain: config.apiDomain, apiBasePath: config.apiBasePath },
    recipeList: [
      Session.init({
        tokenTransferMethod: config.tokenTransferMethod,
        onHandleEvent: onEvent,
        override: {
          functions: (original) => ({
            ...original,
            getGlobalClaimValidators: (input) => [...original.getGlobalClaimValidators(input), SecondFactorClaim.validators.isTrue()],
          }),
        },
      }),
      EmailVerification.init({
        override: {
          functions: (original) => ({
            ...original,
            isEmailVerified: async () => {
              const result = await api<{ verified: boolean }>('GET', '/verify-email/status');
              if (!result.ok) throw new Error(`checking the email failed: ${result.status}`);
              return { status: 'OK', isVerified: result.body.verified === true, fetchResponse: result.response };
            },
            sendVerificationEmail: async () => {
              const result = await api<{ status: 'OK' | 'EMAIL_ALREADY_VERIFIED_ERROR' }>('POST', '/verify-email/resend');
              if (!result.ok) throw new Error(`sending the link failed: ${result.status}`);
              return { status: result.body.status, fetchResponse: result.response };
            },
          }),
        },
      }),
    ],
  });
}

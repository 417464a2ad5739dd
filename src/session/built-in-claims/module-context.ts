import type { ModuleRef } from '@nestjs/core';
import type { UserContext } from '../../claims/types';

/**
 * Built-in claims are plain objects (as in SuperTokens) but their sources are Nest providers of
 * one app. They reach them through the `moduleRef` the module puts in every user context, so
 * there is no global state and two apps in one process stay apart.
 */
export function moduleRefOf(userContext: UserContext | undefined, claimKey: string): ModuleRef {
  const moduleRef = userContext?.moduleRef;
  if (!moduleRef) {
    throw new Error(
      `claim "${claimKey}" needs the userContext the session module passes (it carries the app's moduleRef); forward it when calling fetchValue/build yourself`,
    );
  }
  return moduleRef;
}

import { RequestMethod } from '@nestjs/common';
import type { ApplicationConfig } from '@nestjs/core';

/** The part of `ApplicationConfig` read here (its exclude entries carry a compiled `pathRegex`). */
type PrefixSource = Pick<ApplicationConfig, 'getGlobalPrefix' | 'getGlobalPrefixOptions'>;

/**
 * A route path as the app serves it: `app.setGlobalPrefix('api')` moves the module's built-in
 * routes (they are ordinary controllers) to `/api/auth/...` unless the prefix's `exclude` list
 * names them. The refresh cookie's `Path` must be that served path, or browsers never send the
 * cookie to the refresh route. Read at module init: the prefix is set after the app is created.
 */
export function servedPath(path: string, method: RequestMethod, config: PrefixSource | undefined): string {
  const prefix = (config?.getGlobalPrefix() ?? '').replace(/^\/+|\/+$/g, '');
  if (!prefix) return path;
  const excluded = (config?.getGlobalPrefixOptions().exclude ?? []).some(
    (route) => (route.requestMethod === RequestMethod.ALL || route.requestMethod === method) && route.pathRegex.test(path),
  );
  return excluded ? path : `/${prefix}${path}`;
}

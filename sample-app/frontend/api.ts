/** An answer of the sample's API: status and parsed JSON body (null when there is none). */
export interface ApiResult<T = any> {
  status: number;
  ok: boolean;
  body: T;
  response: Response;
}

export type Api = <T = any>(method: string, path: string, body?: unknown) => Promise<ApiResult<T>>;

/**
 * Calls the sample app's own routes with plain `fetch`. Nothing here touches a token: after
 * `SuperTokens.init`, the SDK intercepts every request to `apiDomain`, adds the session
 * (cookies with `credentials: include`, or the `Authorization` header), refreshes on
 * `401 try refresh token` and retries, and reads the `front-token` of every answer.
 */
export function createApi(apiDomain: string): Api {
  return async (method, path, body) => {
    const response = await fetch(`${apiDomain}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: any = null;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = { message: text };
    }
    return { status: response.status, ok: response.ok, body: parsed, response };
  };
}

/** The `message` of an error answer, or a generic line. */
export function errorMessage(result: ApiResult): string {
  const message = result.body && typeof result.body.message === 'string' ? result.body.message : undefined;
  return message ?? `the server answered ${result.status}`;
}

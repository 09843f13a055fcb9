// Hot Update Model: POST <service>/admin/model with the service's admin token. The runtime
// answers 202 and reloads the model one worker at a time; a failed reload keeps the old model
// and shows on /healthz (the Deployments view then reports the service as degraded).

export interface HotUpdateResult {
  reloading: boolean;
  version?: string;
}

export async function requestHotUpdate(baseUrl: string, token: string, version?: string, timeoutMs = 10_000): Promise<HotUpdateResult> {
  const url = `${baseUrl.replace(/\/$/, '')}/admin/model`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(version ? { version } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new Error(`could not reach ${url}: ${error instanceof Error ? error.message : String(error)}. Is the service running?`);
  }
  const text = await response.text();
  if (response.status === 401 || response.status === 403) {
    // Never echo the token; the runtime's message says what is wrong.
    throw new Error(`the service refused the admin request (${response.status}): ${messageOf(text)}`);
  }
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${messageOf(text)}`);
  try {
    const body = JSON.parse(text) as { reloading?: unknown; version?: unknown };
    return { reloading: body.reloading === true, version: typeof body.version === 'string' ? body.version : undefined };
  } catch {
    return { reloading: true };
  }
}

function messageOf(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown };
    if (typeof body.message === 'string') return body.message;
    if (typeof body.error === 'string') return body.error;
  } catch { /* not JSON */ }
  return text.slice(0, 300) || '(empty response)';
}

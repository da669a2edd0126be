/** A call to the platform's API as a script makes it (outside the browser): the JSON answer, or an error with the status and body. */
export async function callApi<T>(baseUrl: string, method: string, path: string, key: string, body?: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../errors.js';
import { presentedApiKey } from './access.guard.js';
import { looksLikeJwt } from './tokens.js';

/** The query parameters a live (WebSocket) request may authenticate with. */
export interface LiveQuery {
  readonly ticket?: string | string[];
  readonly access_token?: string | string[];
  readonly apiKey?: string | string[];
}

/** A single-use ticket, or a credential (API key or access token) as REST takes it. */
export type LiveCredential = { readonly ticket: string } | { readonly credential: string };

function once(query: LiveQuery, name: keyof LiveQuery): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new GatewayError('InvalidRequest', `Send the ${name} query parameter once.`);
  return value;
}

/**
 * What a live request presents. Browsers cannot set headers on a WebSocket, so they use
 * `?ticket=` (from POST /v1/ws-tickets: single use, 30 seconds, so nothing long-lived lands in a
 * URL or an access log); other clients send the headers REST reads. `?access_token=` (a JWT) and
 * `?apiKey=` still work, the second only for compatibility. A ticket is the whole credential;
 * a credential sent both in the query and in the headers must be the same, as REST's two headers
 * must agree.
 */
export function presentedLiveCredential(headers: IncomingHttpHeaders, query: LiveQuery): LiveCredential {
  const ticket = once(query, 'ticket');
  const accessToken = once(query, 'access_token');
  const apiKey = once(query, 'apiKey');
  const fromHeaders = headers.authorization === undefined && headers['x-api-key'] === undefined ? undefined : presentedApiKey(headers);
  if (ticket !== undefined) {
    if (accessToken !== undefined || apiKey !== undefined || fromHeaders !== undefined) {
      throw new GatewayError('InvalidRequest', 'A ticket is the whole credential: send no API key or token with it.');
    }
    return { ticket };
  }
  if (accessToken !== undefined && apiKey !== undefined) throw new GatewayError('InvalidRequest', 'Send either access_token or apiKey, not both.');
  if (accessToken !== undefined && !looksLikeJwt(accessToken)) {
    throw new GatewayError('InvalidToken', 'The access_token query parameter takes an access token (a JWT); open the WebSocket with a ticket from POST /v1/ws-tickets instead of an API key in the URL.');
  }
  const fromQuery = accessToken ?? apiKey;
  if (fromQuery !== undefined && fromHeaders !== undefined && fromQuery !== fromHeaders) {
    throw new GatewayError('InvalidCredentials', `The ${accessToken === undefined ? 'apiKey' : 'access_token'} query parameter and the headers carry different credentials.`);
  }
  return { credential: fromQuery ?? fromHeaders ?? presentedApiKey(headers) };
}

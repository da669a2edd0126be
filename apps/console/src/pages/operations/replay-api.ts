import { isProblem, type AgentOrchestratorClient } from '@agent-orchestrator/client';

/**
 * The replay routes as their owners document them (issue 18), until the generated client has
 * them: the raw client (authentication, problem+json as thrown errors) on paths it does not type
 * yet. Each page's queries name the shapes they read; nothing else goes through here.
 */
interface UntypedClient {
  GET(path: string, init?: { params?: { query?: Record<string, unknown> } }): Promise<{ data?: unknown }>;
  POST(path: string, init?: { body?: unknown }): Promise<{ data?: unknown; response: Response }>;
}

export const replayRoutes = (client: AgentOrchestratorClient) => client.raw as unknown as UntypedClient;

/** A path segment from an id, so an id never reads as a path. */
export const segment = (id: string) => encodeURIComponent(id);

/** Drops empty values, so a query says only what was chosen. */
export function queryOf(values: Readonly<Record<string, string | number | undefined | null>>): Record<string, string | number> {
  return Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== null && entry[1] !== ''));
}

/**
 * A route the gateway does not serve (yet): the page then says what is missing rather than
 * failing, since a console may meet a gateway from before the replay service.
 */
export const isMissingRoute = (failure: unknown): boolean => isProblem(failure) && failure.type.endsWith(':route-not-found');

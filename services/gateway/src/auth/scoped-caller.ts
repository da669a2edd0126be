import type { FastifyRequest } from 'fastify';
import { principalOf, type Principal } from './access.guard.js';
import { platformCallerOf, type PlatformAdminPrincipal } from './platform-admin.js';

/** The caller of a route both a tenant and the platform admin read: a tenant's key or token (its own rows), or the platform admin's key (every tenant's). */
export type ScopedCaller = { readonly kind: 'tenant'; readonly principal: Principal } | { readonly kind: 'platform'; readonly principal: PlatformAdminPrincipal };

/** The caller as such a route takes it; the route must be authenticated. */
export function scopedCallerOf(request: FastifyRequest): ScopedCaller {
  const platform = platformCallerOf(request);
  if (platform) return { kind: 'platform', principal: platform };
  const principal = principalOf(request);
  if (!principal) throw new Error(`${request.url} is not authenticated, yet it was asked who calls it`);
  return { kind: 'tenant', principal };
}

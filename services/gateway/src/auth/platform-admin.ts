import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../errors.js';
import { platformAdminAbility, type GatewayAbility } from './abilities.js';

/** The platform admin as a caller: no tenant, one role, an ability over tenants only. */
export interface PlatformAdminPrincipal {
  /** Derived from the key, so events name which configured key acted without revealing it. */
  readonly keyId: string;
  readonly roles: readonly ['platform-admin'];
  readonly ability: GatewayAbility;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Recognises PLATFORM_ADMIN_API_KEY. The key lives in the environment, not in the api_keys table:
 * it belongs to no tenant, and changing the variable replaces it.
 */
export class PlatformAdmin {
  private readonly hash?: Buffer;
  private readonly principal?: PlatformAdminPrincipal;

  constructor(secret: string | undefined) {
    if (secret === undefined) return;
    this.hash = sha256(secret);
    // A hash of a hash, so the id says nothing about the key's own hash either.
    this.principal = { keyId: sha256(`platform-admin-key-id:${this.hash.toString('hex')}`).toString('hex').slice(0, 16), roles: ['platform-admin'], ability: platformAdminAbility() };
  }

  /** The platform admin, when `presented` is its key. Compared as hashes, in constant time. */
  recognise(presented: string): PlatformAdminPrincipal | undefined {
    if (!this.hash || !this.principal) return undefined;
    return timingSafeEqual(sha256(presented), this.hash) ? this.principal : undefined;
  }
}

/** What the platform admin is told on any route of a tenant. */
export const platformAdminOutOfTenants = (): GatewayError =>
  new GatewayError('Forbidden', "A platform admin manages tenants (/v1/tenants) and reads no tenant's data: use a key of the tenant for this route.");

const platformCallers = new WeakMap<FastifyRequest, PlatformAdminPrincipal>();

export function rememberPlatformAdmin(request: FastifyRequest, principal: PlatformAdminPrincipal): void {
  platformCallers.set(request, principal);
}

/** The platform admin calling this request, if it is the caller. */
export function platformCallerOf(request: FastifyRequest): PlatformAdminPrincipal | undefined {
  return platformCallers.get(request);
}

/** Injects the platform admin calling a tenants route. */
export const PlatformCaller = createParamDecorator((_: unknown, context: ExecutionContext): PlatformAdminPrincipal => {
  const principal = platformCallers.get(context.switchToHttp().getRequest<FastifyRequest>());
  if (!principal) throw new Error('@PlatformCaller() used on a route the platform admin did not call');
  return principal;
});

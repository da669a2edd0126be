import { Injectable, SetMetadata, createParamDecorator, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../errors.js';
import { TenantGate } from '../tenants/tenant-gate.js';
import type { Action, GatewayAbility, SubjectName } from './abilities.js';
import { Credentials } from './credentials.js';
import { PlatformAdmin, platformAdminOutOfTenants, rememberPlatformAdmin } from './platform-admin.js';
import type { Role } from './roles.js';

/** What the caller presented to be recognised, as GET /v1/me tells it back. */
export type PresentedCredential =
  | { readonly via: 'apiKey'; readonly keyId: string; readonly expiresAt: string | null }
  | { readonly via: 'token'; readonly issuer: string; readonly expiresAt: string }
  | { readonly via: 'ticket' };

/** The caller of an authenticated request. Queries take the tenant from here, never from the request. */
export interface Principal {
  readonly tenantId: string;
  readonly roles: readonly Role[];
  /** Who acts, as event actors, approval votes and `createdBy` name it: an API key's id, or `token:<issuer>#<sub>`. */
  readonly subject: string;
  readonly ability: GatewayAbility;
  readonly presented: PresentedCredential;
}

const principals = new WeakMap<FastifyRequest, Principal>();
const publicRoute = 'gateway:public-route';
const requiredAbility = 'gateway:required-ability';
const anyCallerRoute = 'gateway:any-caller';

interface RequiredAbility {
  readonly action: Action;
  readonly subject: SubjectName;
}

/** The route answers without an API key. */
export const Public = () => SetMetadata(publicRoute, true);

/**
 * The caller's roles must allow `action` on `subject` (in its own tenant), or the request is
 * refused with 403. Every route that is not @Public must say what it needs: a route that does
 * not is refused to everyone, so a new route is never open to every role by accident.
 */
export const Can = (action: Action, subject: SubjectName) => SetMetadata(requiredAbility, { action, subject } satisfies RequiredAbility);

/**
 * Any authenticated caller may call the route, whatever its roles, the platform admin included
 * (who has no Principal: `platformCallerOf` finds it). For routes about the caller itself.
 */
export const AnyCaller = () => SetMetadata(anyCallerRoute, true);

/** Injects the authenticated Principal into a handler parameter. */
export const Caller = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = principals.get(context.switchToHttp().getRequest<FastifyRequest>());
  if (!principal) throw new Error('@Caller() used on a route that is not authenticated');
  return principal;
});

/** The caller of a request the guard has authenticated; undefined on a @Public route or before the guard ran. */
export function principalOf(request: FastifyRequest): Principal | undefined {
  return principals.get(request);
}

function single(header: string | string[] | undefined): string | undefined {
  if (Array.isArray(header)) throw new GatewayError('InvalidCredentials', 'Send the API key once.');
  return header;
}

/** The secret from `Authorization: Bearer <key>` or `x-api-key: <key>`; both may be sent if they agree. */
export function presentedApiKey(headers: IncomingHttpHeaders): string {
  const authorization = single(headers.authorization);
  const headerKey = single(headers['x-api-key'])?.trim();
  let bearer: string | undefined;
  if (authorization !== undefined) {
    const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(authorization);
    if (!match) throw new GatewayError('InvalidCredentials', 'The Authorization header must be "Bearer <API key>".');
    bearer = match[1];
  }
  if (bearer !== undefined && headerKey !== undefined && bearer !== headerKey) {
    throw new GatewayError('InvalidCredentials', 'The Authorization and x-api-key headers carry different keys.');
  }
  const key = bearer ?? headerKey;
  if (!key) throw new GatewayError('MissingCredentials', 'Send an API key as "Authorization: Bearer <key>" or "x-api-key: <key>".');
  return key;
}

/** Authenticates every request that is not @Public, then checks the route's @Can. */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: Credentials,
    private readonly platformAdmin: PlatformAdmin,
    private readonly tenantGate: TenantGate,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(publicRoute, targets)) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const presented = presentedApiKey(request.headers);
    const required = this.reflector.getAllAndOverride<RequiredAbility | undefined>(requiredAbility, targets);
    const anyCaller = this.reflector.getAllAndOverride<boolean>(anyCallerRoute, targets) === true;
    const platformAdmin = this.platformAdmin.recognise(presented);
    if (platformAdmin) {
      if (anyCaller) {
        rememberPlatformAdmin(request, platformAdmin);
        return true;
      }
      if (!required || !platformAdmin.ability.can(required.action, required.subject)) throw platformAdminOutOfTenants();
      rememberPlatformAdmin(request, platformAdmin);
      return true;
    }
    const principal = await this.credentials.authenticate(presented);
    await this.tenantGate.assertActive(principal.tenantId);
    principals.set(request, principal);
    if (anyCaller) return true;

    if (!required) throw new GatewayError('Forbidden', 'This route declares no permission, so it is open to no one.');
    if (required.subject === 'Tenant') throw new GatewayError('Forbidden', "Tenants are managed with the platform admin's key (PLATFORM_ADMIN_API_KEY); no key of a tenant may.");
    if (!principal.ability.can(required.action, required.subject)) {
      throw new GatewayError('Forbidden', `The roles of this caller (${principal.roles.join(', ') || 'none'}) do not allow "${required.action}" on ${required.subject}.`);
    }
    return true;
  }
}

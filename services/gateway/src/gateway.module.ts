import { Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { Logger } from 'pino';
import { AgentsController } from './agents/agents.controller.js';
import { AlertWebhooksController, AlertsController } from './alerts/alerts.controller.js';
import { AlertWebhooks } from './alerts/alert-webhooks.js';
import { PlatformAlertWebhooksController, PlatformAlertsController } from './alerts/platform-alerts.controller.js';
import { Alerts } from './alerts/alerts.js';
import { Agents } from './agents/agents.js';
import { AuditExportsController } from './audit/audit-exports.controller.js';
import { AuditKeysController } from './audit/audit-keys.controller.js';
import { AuditTrail } from './audit/audit-trail.js';
import { OperationsController } from './operations/operations.controller.js';
import { Operations } from './operations/operations.js';
import { ApprovalsController } from './approvals/approvals.controller.js';
import { Approvals } from './approvals/approvals.js';
import { BudgetsController } from './budgets/budgets.controller.js';
import { Budgets } from './budgets/budgets.js';
import { EgressController } from './egress/egress.controller.js';
import { Egress } from './egress/egress.js';
import { PoliciesController } from './policies/policies.controller.js';
import { Policies } from './policies/policies.js';
import { PrivacyController } from './policies/privacy.controller.js';
import { SECRET_STORE, SecretsController } from './secrets/secrets.controller.js';
import type { SecretStore } from '@agent-orchestrator/secrets';
import { Readiness } from '@agent-orchestrator/service-host';
import { ToolsController } from './tools/tools.controller.js';
import { Tools } from './tools/tools.js';
import { AdminEventsController } from './admin/admin-events.controller.js';
import { ApiKeysController } from './api-keys/api-keys.controller.js';
import { ApiKeys } from './api-keys/api-keys.js';
import { AccessGuard } from './auth/access.guard.js';
import type { Authentication } from './auth/authentication.js';
import { Credentials } from './auth/credentials.js';
import { SignInController, SignInOptions } from './auth/sign-in.controller.js';
import { WsTicketsController } from './auth/ws-tickets.controller.js';
import { WsTickets } from './auth/ws-tickets.js';
import { RoleMappingController } from './role-mapping/role-mapping.controller.js';
import { RoleMappings } from './role-mapping/role-mappings.js';
import { HealthController } from './health.controller.js';
import { ProblemDetailsFilter } from './http/problem-details.filter.js';
import { RateLimitInterceptor } from './http/rate-limit-hooks.js';
import type { RequestRateLimits } from './http/rate-limits.js';
import { SessionAnalysisController } from './sessions/session-analysis.controller.js';
import { SessionForksController } from './sessions/session-forks.controller.js';
import { SessionsController } from './sessions/sessions.controller.js';
import { TenantsController } from './tenants/tenants.controller.js';
import { tenancyProviders, type Tenancy } from './tenants/tenancy.js';
import { Sessions } from './sessions/sessions.js';
import { DeadLettersController } from './dead-letters/dead-letters.controller.js';
import { DeadLetters } from './dead-letters/dead-letters.js';
import { ProjectionsController } from './projections/projections.controller.js';
import { Projections } from './projections/projections.js';
import { PricesController } from './usage/prices.controller.js';
import { UsageController } from './usage/usage.controller.js';
import { Usage } from './usage/usage.js';

export interface GatewayBindings {
  readonly apiKeys: ApiKeys;
  readonly tenancy: Tenancy;
  /** Who a request is: API keys, access tokens, WebSocket tickets, role mappings. */
  readonly auth: Authentication;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  /** What /readyz reports: in dev mode every service's consumers and projections. */
  readonly readiness: Readiness;
  /** The console's single sign-on that GET /v1/sign-in tells; none: API keys only. */
  readonly signInOptions: SignInOptions;
  /** Request rates per principal and tenant, counted after authentication; nothing is counted without it. */
  readonly rateLimits?: RequestRateLimits;
  /** Releases what the app owns (its pool) when the app closes. */
  readonly onShutdown: () => Promise<void>;
  /** Sessions and agents routes, when the app has the log and Kafka behind it. */
  readonly sessions?: Sessions;
  readonly agents?: Agents;
  readonly tools?: Tools;
  readonly policies?: Policies;
  readonly egress?: Egress;
  readonly budgets?: Budgets;
  readonly approvals?: Approvals;
  /** The audit trail's routes (exports, keys, checkpoints, retention), when the app has its read model and Kafka. */
  readonly audit?: AuditTrail;
  /** The operations routes (plan, dry run, confirm, pause, resume, abort, progress), when the app has their read model and Kafka. */
  readonly operations?: Operations;
  /** The secrets routes, when the app has a backend: null when no secret store is configured (they answer 503 saying how). */
  readonly secrets?: SecretStore | null;
  /** The dead-letter routes, when the app has the dead-letter index. */
  readonly deadLetters?: DeadLetters;
  readonly projections?: Projections;
  /** The usage, dashboard and prices routes, when the app has the usage read model and Kafka. */
  readonly usage?: Usage;
  /** The alerts routes: the list (its read model) and the webhook (in the secret store). */
  readonly alerts?: { readonly list: Alerts; readonly webhooks: AlertWebhooks };
}

class ShutdownHook implements OnApplicationShutdown {
  constructor(private readonly release: () => Promise<void>) {}

  async onApplicationShutdown(): Promise<void> {
    await this.release();
  }
}

/** Binds the gateway's ports to the adapters chosen by createGatewayApp. */
@Module({})
export class GatewayModule {
  static register(bindings: GatewayBindings): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [HealthController, SignInController, ApiKeysController, TenantsController, AdminEventsController, RoleMappingController, ...(bindings.sessions ? [SessionsController, SessionForksController, SessionAnalysisController, WsTicketsController] : []), ...(bindings.agents ? [AgentsController] : []), ...(bindings.tools ? [ToolsController] : []), ...(bindings.policies ? [PoliciesController, PrivacyController] : []), ...(bindings.egress ? [EgressController] : []), ...(bindings.approvals ? [ApprovalsController] : []), ...(bindings.audit ? [AuditExportsController, AuditKeysController] : []), ...(bindings.operations ? [OperationsController] : []), ...(bindings.secrets !== undefined ? [SecretsController] : []), ...(bindings.deadLetters ? [DeadLettersController] : []), ...(bindings.projections ? [ProjectionsController] : []), ...(bindings.usage ? [UsageController, PricesController] : []),
        ...(bindings.budgets ? [BudgetsController] : []),
        ...(bindings.alerts ? [AlertsController, AlertWebhooksController, PlatformAlertsController, PlatformAlertWebhooksController] : []),
      ],
      providers: [
        ...(bindings.sessions ? [{ provide: Sessions, useValue: bindings.sessions }] : []),
        ...(bindings.agents ? [{ provide: Agents, useValue: bindings.agents }] : []),
        ...(bindings.tools ? [{ provide: Tools, useValue: bindings.tools }] : []),
        ...(bindings.policies ? [{ provide: Policies, useValue: bindings.policies }] : []),
        ...(bindings.egress ? [{ provide: Egress, useValue: bindings.egress }] : []),
        ...(bindings.budgets ? [{ provide: Budgets, useValue: bindings.budgets }] : []),
        ...(bindings.approvals ? [{ provide: Approvals, useValue: bindings.approvals }] : []),
        ...(bindings.audit ? [{ provide: AuditTrail, useValue: bindings.audit }] : []),
        ...(bindings.deadLetters ? [{ provide: DeadLetters, useValue: bindings.deadLetters }] : []),
        ...(bindings.projections ? [{ provide: Projections, useValue: bindings.projections }] : []),
        ...(bindings.usage ? [{ provide: Usage, useValue: bindings.usage }] : []),
        ...(bindings.alerts ? [{ provide: Alerts, useValue: bindings.alerts.list }, { provide: AlertWebhooks, useValue: bindings.alerts.webhooks }] : []),
        ...(bindings.operations ? [{ provide: Operations, useValue: bindings.operations }] : []),
        ...(bindings.secrets !== undefined ? [{ provide: SECRET_STORE, useValue: bindings.secrets }] : []),
        { provide: ApiKeys, useValue: bindings.apiKeys },
        ...tenancyProviders(bindings.tenancy),
        { provide: Credentials, useValue: bindings.auth.credentials },
        { provide: WsTickets, useValue: bindings.auth.tickets },
        { provide: RoleMappings, useValue: bindings.auth.roleMappings },
        { provide: Readiness, useValue: bindings.readiness },
        { provide: SignInOptions, useValue: bindings.signInOptions },
        { provide: APP_GUARD, useClass: AccessGuard },
        ...(bindings.rateLimits ? [{ provide: APP_INTERCEPTOR, useValue: new RateLimitInterceptor(bindings.rateLimits) }] : []),
        { provide: APP_FILTER, useValue: new ProblemDetailsFilter(bindings.logger, bindings.maxBodyBytes) },
        { provide: ShutdownHook, useValue: new ShutdownHook(bindings.onShutdown) },
      ],
    };
  }
}

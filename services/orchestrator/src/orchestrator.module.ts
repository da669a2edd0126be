import { type EventEnvelope } from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import { OnEvent } from '@agent-orchestrator/messaging-nest';
import { Controller, Inject, Module, type DynamicModule } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { Logger } from 'pino';
import { decideRunOutcome, type RunOutcome } from './commands/run-outcomes.js';
import { applyTenantStatus, type TenantStatusDeps } from './tenant-status/tenant-status.js';

export const ORCHESTRATOR_BINDINGS = Symbol('OrchestratorBindings');

export interface OrchestratorBindings extends TenantStatusDeps {
  readonly store: EventStore;
  readonly logger: Logger;
  readonly now: () => string;
}

/** Agent runs' outcomes, from `events.agentrun`, decided on their sessions. */
@Controller()
export class RunOutcomesController {
  constructor(@Inject(ORCHESTRATOR_BINDINGS) private readonly bindings: OrchestratorBindings) {}

  @OnEvent('AgentRunCompleted')
  onRunCompleted(@Payload() event: EventEnvelope): Promise<void> {
    return this.decide(event as RunOutcome);
  }

  @OnEvent('AgentRunFailed')
  onRunFailed(@Payload() event: EventEnvelope): Promise<void> {
    return this.decide(event as RunOutcome);
  }

  private decide(outcome: RunOutcome): Promise<void> {
    const { store, logger, now } = this.bindings;
    return decideRunOutcome(store, logger, outcome, now());
  }
}

/** A tenant's suspension, deletion or resumption, from `events.admin`: its live sessions pause or resume. */
@Controller()
export class TenantStatusController {
  constructor(@Inject(ORCHESTRATOR_BINDINGS) private readonly bindings: OrchestratorBindings) {}

  @OnEvent('TenantSuspended')
  onSuspended(@Payload() event: EventEnvelope): Promise<void> {
    return applyTenantStatus(this.bindings, event);
  }

  @OnEvent('TenantDeleted')
  onDeleted(@Payload() event: EventEnvelope): Promise<void> {
    return applyTenantStatus(this.bindings, event);
  }

  @OnEvent('TenantResumed')
  onResumed(@Payload() event: EventEnvelope): Promise<void> {
    return applyTenantStatus(this.bindings, event);
  }
}

@Module({})
export class OrchestratorModule {
  static register(bindings: OrchestratorBindings): DynamicModule {
    return { module: OrchestratorModule, controllers: [RunOutcomesController, TenantStatusController], providers: [{ provide: ORCHESTRATOR_BINDINGS, useValue: bindings }] };
  }
}

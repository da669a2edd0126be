import type { EventEnvelope } from '@agent-orchestrator/contracts';
import { OnEvent } from '@agent-orchestrator/messaging-nest';
import { Controller, Inject, Module, type DynamicModule } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { PolicyChecks, type ToolCallRequest } from './policy-checks.js';

@Controller()
export class PolicyChecksController {
  constructor(@Inject(PolicyChecks) private readonly checks: PolicyChecks) {}

  @OnEvent('ToolCallRequested')
  onToolCallRequested(@Payload() event: EventEnvelope): Promise<void> {
    return this.checks.decide(event as ToolCallRequest);
  }
}

@Module({})
export class PolicyModule {
  static register(checks: PolicyChecks): DynamicModule {
    return { module: PolicyModule, controllers: [PolicyChecksController], providers: [{ provide: PolicyChecks, useValue: checks }] };
  }
}

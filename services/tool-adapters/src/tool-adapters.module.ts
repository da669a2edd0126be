import type { EventEnvelope } from '@agent-orchestrator/contracts';
import { OnEvent } from '@agent-orchestrator/messaging-nest';
import { Controller, Inject, Module, type DynamicModule } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ToolCalls, type ApprovalSettled, type PolicyDecision } from './tool-calls.js';

@Controller()
export class ToolCallsController {
  constructor(@Inject(ToolCalls) private readonly calls: ToolCalls) {}

  @OnEvent('PolicyDecisionRecorded')
  onPolicyDecision(@Payload() event: EventEnvelope): Promise<void> {
    return this.calls.onPolicyDecision(event as PolicyDecision);
  }

  @OnEvent('ApprovalGranted')
  onApprovalGranted(@Payload() event: EventEnvelope): Promise<void> {
    return this.calls.onApprovalSettled(event as ApprovalSettled);
  }

  @OnEvent('ApprovalRejected')
  onApprovalRejected(@Payload() event: EventEnvelope): Promise<void> {
    return this.calls.onApprovalSettled(event as ApprovalSettled);
  }

  @OnEvent('ApprovalExpired')
  onApprovalExpired(@Payload() event: EventEnvelope): Promise<void> {
    return this.calls.onApprovalSettled(event as ApprovalSettled);
  }
}

@Module({})
export class ToolAdaptersModule {
  static register(calls: ToolCalls): DynamicModule {
    return { module: ToolAdaptersModule, controllers: [ToolCallsController], providers: [{ provide: ToolCalls, useValue: calls }] };
  }
}

import type { EventEnvelope } from '@agent-orchestrator/contracts';
import { OnEvent } from '@agent-orchestrator/messaging-nest';
import { Controller, Inject, Module, type DynamicModule } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ApprovalRequests, type PolicyDecision } from './approval-requests.js';

@Controller()
export class ApprovalRequestsController {
  constructor(@Inject(ApprovalRequests) private readonly requests: ApprovalRequests) {}

  @OnEvent('PolicyDecisionRecorded')
  onPolicyDecision(@Payload() event: EventEnvelope): Promise<void> {
    return this.requests.open(event as PolicyDecision);
  }
}

@Module({})
export class ApprovalsModule {
  static register(requests: ApprovalRequests): DynamicModule {
    return { module: ApprovalsModule, controllers: [ApprovalRequestsController], providers: [{ provide: ApprovalRequests, useValue: requests }] };
  }
}

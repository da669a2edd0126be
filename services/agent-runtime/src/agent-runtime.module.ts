import type { EventEnvelope, ToolCallEvent } from '@agent-orchestrator/contracts';
import { OnEvent } from '@agent-orchestrator/messaging-nest';
import { Controller, Module, type DynamicModule } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { AgentRunner } from './runs/agent-runner.js';

type WorkRequest = Parameters<AgentRunner['onWorkRequested']>[0];

/** Requests for work from `events.session`, tool answers from `events.toolcall`. */
@Controller()
export class AgentRunsController {
  constructor(private readonly runner: AgentRunner) {}

  @OnEvent('PlanRequested')
  onPlanRequested(@Payload() event: EventEnvelope): Promise<void> {
    return this.runner.onWorkRequested(event as WorkRequest);
  }

  @OnEvent('StepScheduled')
  onStepScheduled(@Payload() event: EventEnvelope): Promise<void> {
    return this.runner.onWorkRequested(event as WorkRequest);
  }

  @OnEvent('ReviewRequested')
  onReviewRequested(@Payload() event: EventEnvelope): Promise<void> {
    return this.runner.onWorkRequested(event as WorkRequest);
  }

  @OnEvent('ToolCallCompleted')
  onToolCallCompleted(@Payload() event: EventEnvelope): Promise<void> {
    return this.runner.onToolAnswered(event as EventEnvelope & ToolCallEvent);
  }

  @OnEvent('ToolCallFailed')
  onToolCallFailed(@Payload() event: EventEnvelope): Promise<void> {
    return this.runner.onToolAnswered(event as EventEnvelope & ToolCallEvent);
  }
}

@Module({})
export class AgentRuntimeModule {
  static register(runner: AgentRunner): DynamicModule {
    return { module: AgentRuntimeModule, controllers: [AgentRunsController], providers: [{ provide: AgentRunner, useValue: runner }] };
  }
}

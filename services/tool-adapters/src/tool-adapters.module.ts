import type { EventEnvelope } from '@agent-orchestrator/contracts';
import { OnEvent } from '@agent-orchestrator/messaging-nest';
import { Controller, Inject, Module, type DynamicModule } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ToolCalls, type ToolCallRequest } from './tool-calls.js';

@Controller()
export class ToolCallsController {
  constructor(@Inject(ToolCalls) private readonly calls: ToolCalls) {}

  @OnEvent('ToolCallRequested')
  onToolCallRequested(@Payload() event: EventEnvelope): Promise<void> {
    return this.calls.answer(event as ToolCallRequest);
  }
}

@Module({})
export class ToolAdaptersModule {
  static register(calls: ToolCalls): DynamicModule {
    return { module: ToolAdaptersModule, controllers: [ToolCallsController], providers: [{ provide: ToolCalls, useValue: calls }] };
  }
}

import type { EventEnvelope } from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import { OnEvent } from '@agent-orchestrator/messaging-nest';
import { Controller, Inject, Module, type DynamicModule } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { answerToolCall, type ToolCallRequest } from './built-in-tools.js';

export const TOOL_ADAPTER_BINDINGS = Symbol('ToolAdapterBindings');

export interface ToolAdapterBindings {
  readonly store: EventStore;
  readonly now: () => string;
}

@Controller()
export class ToolCallsController {
  constructor(@Inject(TOOL_ADAPTER_BINDINGS) private readonly bindings: ToolAdapterBindings) {}

  @OnEvent('ToolCallRequested')
  onToolCallRequested(@Payload() event: EventEnvelope): Promise<void> {
    return answerToolCall(this.bindings.store, event as ToolCallRequest, this.bindings.now());
  }
}

@Module({})
export class ToolAdaptersModule {
  static register(bindings: ToolAdapterBindings): DynamicModule {
    return { module: ToolAdaptersModule, controllers: [ToolCallsController], providers: [{ provide: TOOL_ADAPTER_BINDINGS, useValue: bindings }] };
  }
}

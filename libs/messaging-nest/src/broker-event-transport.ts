import { eventDecoder, type Broker, type ConsumedMessage, type ConsumeOptions, type RunningConsumer } from '@agent-orchestrator/messaging';
import type { EventEnvelope } from '@agent-orchestrator/contracts';
import { BaseRpcContext, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';

export type BrokerEventTransportOptions = Omit<ConsumeOptions<EventEnvelope>, 'decode' | 'handle'> & { readonly broker: Broker };

/** What an `@EventPattern` handler gets with `@Ctx()`: the transport's facts of the event in hand (topic, partition, offset). */
export class EventContext extends BaseRpcContext<[ConsumedMessage<EventEnvelope>]> {
  getMessage(): ConsumedMessage<EventEnvelope> {
    return this.args[0];
  }
}

/**
 * The one way a Nest service consumes: `@EventPattern('<EventType>')` handlers on top of the
 * project's consumer loop (docs/messaging.md says why not Nest's own Kafka transport). Each
 * event is decoded and validated against the catalog, dispatched by its type, and its offset
 * moves on only after the handler (promise or observable) completed; a failure is retried or
 * dead-lettered by the loop. Events with no handler here are passed over.
 */
export class BrokerEventTransport extends Server implements CustomTransportStrategy {
  private consumer?: RunningConsumer;

  constructor(private readonly options: BrokerEventTransportOptions) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const { broker, ...consume } = this.options;
      this.consumer = await broker.consume({ ...consume, decode: eventDecoder(), handle: (message) => this.dispatch(message) });
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  on(): never {
    throw new Error('BrokerEventTransport reports failures through the consumer loop (dead letters and logs), not events');
  }

  unwrap<T>(): T {
    if (!this.consumer) throw new Error('BrokerEventTransport is not listening');
    return this.consumer as T;
  }

  private async dispatch(message: ConsumedMessage<EventEnvelope>): Promise<void> {
    const handler = this.getHandlerByPattern(message.value.type);
    if (!handler) return;
    // Called directly rather than through Server#handleEvent, which logs a handler's failure
    // instead of letting the loop retry or dead-letter it.
    const result = await handler(message.value, new EventContext([message]));
    await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
  }
}

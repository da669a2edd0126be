import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';

/**
 * Marks a controller method as the handler of one event type: `@OnEvent('PlanRequested')`.
 * (Nest's typed EventPattern overloads would demand that every argument after the payload
 * accept `unknown`, which rules out a typed `@Ctx()`.)
 */
export function OnEvent(eventType: string): MethodDecorator {
  return EventPattern<string>(eventType);
}

/**
 * Hands a handler's error to the consumer loop unchanged. Nest's default RPC filter would turn
 * it into `{ status: 'error', message }`, losing the message and the `retryable` flag the loop
 * uses to choose between retrying and dead-lettering. Register it for every event consumer:
 * `app.useGlobalFilters(new PropagateToConsumerLoop())` (or `connectMicroservice(..., {
 * inheritAppConfig: true })` in a hybrid app).
 */
@Catch()
export class PropagateToConsumerLoop implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

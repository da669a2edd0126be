import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { metricNames, operationDurationBuckets, sessionDurationBuckets, stepDurationBuckets, tokenUsageBuckets, type StepOutcome, type ToolCallOutcome } from './families.js';
import { defaultLabelCaps, LabelCaps, type LabelCapLimits } from './label-caps.js';
import { ScrapeGauges, type ScrapeSources, type SourceName } from './scrape-gauges.js';

/** One model response as the provider gave it: what agent-runtime records beside ModelResponded. */
export interface ModelCallObservation {
  readonly tenant: string;
  readonly model: string;
  readonly agent: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  /** How long the provider took to answer. */
  readonly seconds: number;
}

export interface PlatformMetricsOptions {
  readonly caps?: LabelCapLimits;
  /**
   * Node's process metrics (CPU, memory, event loop, GC); on for the process's registry. Their
   * collectors (an event-loop delay monitor, a GC observer) start with `setRecording(true)` or the
   * first scrape, so a process whose metrics are off never starts them.
   */
  readonly processMetrics?: boolean;
}

/**
 * A process's metrics: one Prometheus registry, the platform's families, and one-line recording
 * calls for the places where the work happens. Labels are bounded: tenant, model, agent, tool,
 * consumer and projection pass through `LabelCaps`; the others are enums. No label ever carries a
 * session, run, call or event id: those are what the log and the traces are for.
 */
export class PlatformMetrics {
  readonly registry = new Registry();
  private readonly caps: LabelCaps;
  private readonly gauges: ScrapeGauges;
  private readonly tokenUsage: Histogram<'gen_ai_operation_name' | 'gen_ai_request_model' | 'gen_ai_token_type' | 'gen_ai_agent_name' | 'tenant'>;
  private readonly operationDuration: Histogram<'gen_ai_operation_name' | 'gen_ai_request_model' | 'gen_ai_agent_name' | 'tenant'>;
  private readonly cost: Counter<'tenant' | 'model' | 'agent'>;
  private readonly toolCalls: Counter<'tenant' | 'tool' | 'outcome'>;
  private readonly sessionDuration: Histogram<'tenant' | 'status'>;
  private readonly stepDuration: Histogram<'tenant' | 'agent' | 'outcome'>;
  private recording = true;
  /** Node's process metrics are wanted and not yet collected. */
  private processMetricsPending: boolean;

  constructor(options: PlatformMetricsOptions = {}) {
    this.caps = new LabelCaps(options.caps ?? defaultLabelCaps);
    const registers = [this.registry];
    this.tokenUsage = new Histogram({
      name: metricNames.tokenUsage,
      help: 'Tokens of each model call (gen_ai.client.token.usage), by token type (input, output), model, agent and tenant.',
      labelNames: ['gen_ai_operation_name', 'gen_ai_request_model', 'gen_ai_token_type', 'gen_ai_agent_name', 'tenant'],
      buckets: tokenUsageBuckets,
      registers,
    });
    this.operationDuration = new Histogram({
      name: metricNames.operationDuration,
      help: 'How long each model call took (gen_ai.client.operation.duration), by model, agent and tenant.',
      labelNames: ['gen_ai_operation_name', 'gen_ai_request_model', 'gen_ai_agent_name', 'tenant'],
      buckets: operationDurationBuckets,
      registers,
    });
    this.cost = new Counter({ name: metricNames.costUsd, help: 'What model calls cost in US dollars at the prices in force, by tenant, model and agent.', labelNames: ['tenant', 'model', 'agent'], registers });
    this.toolCalls = new Counter({ name: metricNames.toolCalls, help: 'Tool call answers recorded, by tenant, tool and outcome (completed, failed, parked).', labelNames: ['tenant', 'tool', 'outcome'], registers });
    this.sessionDuration = new Histogram({
      name: metricNames.sessionDuration,
      help: 'From a session started to its end, by tenant and how it ended (completed, failed, cancelled).',
      labelNames: ['tenant', 'status'],
      buckets: sessionDurationBuckets,
      registers,
    });
    this.stepDuration = new Histogram({
      name: metricNames.stepDuration,
      help: "From a step's attempt scheduled to its answer, by tenant, agent and outcome (completed, failed).",
      labelNames: ['tenant', 'agent', 'outcome'],
      buckets: stepDurationBuckets,
      registers,
    });
    this.gauges = new ScrapeGauges(this.registry, this.caps);
    this.processMetricsPending = options.processMetrics ?? false;
  }

  /** A model call answered (agent-runtime, when the response is recorded). */
  modelCall(call: ModelCallObservation): void {
    if (!this.recording) return;
    const model = this.caps.fold('model', call.model);
    const agent = this.caps.fold('agent', call.agent);
    const tenant = this.caps.fold('tenant', call.tenant);
    const common = { gen_ai_operation_name: 'chat', gen_ai_request_model: model, gen_ai_agent_name: agent, tenant };
    this.tokenUsage.observe({ ...common, gen_ai_token_type: 'input' }, call.inputTokens);
    this.tokenUsage.observe({ ...common, gen_ai_token_type: 'output' }, call.outputTokens);
    this.operationDuration.observe(common, call.seconds);
    this.cost.inc({ tenant, model, agent }, call.costUsd);
  }

  /** A tool call's answer recorded (tool-adapters, once its event is appended). */
  toolCall(call: { readonly tenant: string; readonly tool: string; readonly outcome: ToolCallOutcome }): void {
    if (!this.recording) return;
    this.toolCalls.inc({ tenant: this.caps.fold('tenant', call.tenant), tool: this.caps.fold('tool', call.tool), outcome: call.outcome });
  }

  /** A session ended (the orchestrator, once its terminal event is appended). */
  sessionEnded(session: { readonly tenant: string; readonly status: 'completed' | 'failed' | 'cancelled'; readonly seconds: number }): void {
    if (!this.recording) return;
    this.sessionDuration.observe({ tenant: this.caps.fold('tenant', session.tenant), status: session.status }, session.seconds);
  }

  /** A step's attempt answered (the orchestrator, once StepCompleted or StepFailed is appended). */
  stepEnded(step: { readonly tenant: string; readonly agent: string; readonly outcome: StepOutcome; readonly seconds: number }): void {
    if (!this.recording) return;
    this.stepDuration.observe({ tenant: this.caps.fold('tenant', step.tenant), agent: this.caps.fold('agent', step.agent), outcome: step.outcome }, step.seconds);
  }

  /**
   * Turns the recording calls into no-ops (or back): METRICS=off, and measuring what metrics cost
   * against a run without them. Scrape-time gauges are read only when scraped, so they need no
   * switch. Node's process metrics start when recording is turned on (once started they run on).
   */
  setRecording(on: boolean): void {
    this.recording = on;
    if (on) this.startProcessMetrics();
  }

  get isRecording(): boolean {
    return this.recording;
  }

  /** Registers a scrape-time reader for one source of gauges; returns the function that removes it. */
  watch<S extends SourceName>(source: S, read: () => Promise<ScrapeSources[S]>): () => void {
    return this.gauges.watch(source, read);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition in Prometheus text format. */
  text(): Promise<string> {
    if (this.recording) this.startProcessMetrics();
    return this.registry.metrics();
  }

  private startProcessMetrics(): void {
    if (!this.processMetricsPending) return;
    this.processMetricsPending = false;
    collectDefaultMetrics({ register: this.registry });
  }
}

/**
 * The process's registry: in cluster mode one per service process, in dev mode one for every
 * service in it. The services record into it and the health server exposes it at /metrics.
 */
export const processMetrics = new PlatformMetrics({ processMetrics: true });

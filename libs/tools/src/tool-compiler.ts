import { Piscina } from 'piscina';
import { ToolDocumentError, type CompiledTool, type CompileOptions } from './openapi-tool.js';

export interface CompileRequest {
  /** The document: an object, or its JSON or YAML text. */
  readonly input: unknown;
  /** Where it was fetched from, when it was: then what it holds is never quoted in an error. */
  readonly fetchedFrom?: string;
  readonly options?: CompileOptions;
}

export type CompileAnswer = { readonly ok: true; readonly document: Record<string, unknown>; readonly compiled: CompiledTool } | { readonly ok: false; readonly message: string };

export interface ToolCompilerOptions {
  /** Documents compiled at once; more wait their turn (default 1: registration is rare, the machine is shared). */
  readonly threads?: number;
  /** The longest one document may take (default 60 s). */
  readonly timeoutMs?: number;
  /** Heap of a compiling thread, in MiB (default 1024): a hostile document cannot take the process's memory. */
  readonly maxHeapMb?: number;
}

/** Compiled to JavaScript for the container images (scripts/build-dist.ts), the worker is `.js` too and needs no loader. */
const compiled = import.meta.url.endsWith('.js');
const worker = new URL(compiled ? './compile-worker.js' : './compile-worker.ts', import.meta.url);
/** The sources are TypeScript: a thread needs the loader the process runs with, and under jest (which transforms in-process) it must be named. */
const typeScriptLoader = ['--import', '@swc-node/register/esm-register'];

/**
 * Reads and compiles OpenAPI documents in worker threads, off the event loop: a 32 MB document
 * takes seconds to parse, validate and dereference, and the gateway answers other requests in the
 * meantime. A thread is started on first use and ends after a minute without work.
 */
export class ToolCompiler {
  private readonly pool: Piscina<CompileRequest, CompileAnswer>;
  private readonly timeoutMs: number;

  constructor(options: ToolCompilerOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    const execArgv = compiled || process.execArgv.includes(typeScriptLoader[1]!) ? process.execArgv : [...process.execArgv.filter((flag) => flag !== '--experimental-vm-modules'), ...typeScriptLoader];
    this.pool = new Piscina({
      filename: worker.href,
      minThreads: 0,
      maxThreads: options.threads ?? 1,
      idleTimeout: 60_000,
      execArgv,
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 1024 },
    });
  }

  /** The document and what compiles from it; a ToolDocumentError says what is wrong with it. */
  async compile(request: CompileRequest): Promise<{ document: Record<string, unknown>; compiled: CompiledTool }> {
    let answer: CompileAnswer;
    try {
      answer = await this.pool.run(request, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
        throw new ToolDocumentError(`The document took longer than ${this.timeoutMs / 1000} s to compile; register a smaller one, or choose operations with "include".`);
      }
      if (error instanceof Error && /ERR_WORKER_OUT_OF_MEMORY|out of memory/i.test(`${(error as { code?: string }).code ?? ''} ${error.message}`)) {
        throw new ToolDocumentError('The document needs more memory to compile than a registration may take; register a smaller one, or choose operations with "include".');
      }
      throw error;
    }
    if (!answer.ok) throw new ToolDocumentError(answer.message);
    return { document: answer.document, compiled: answer.compiled };
  }

  /** Documents the threads have compiled (or refused) so far. */
  get completed(): number {
    return this.pool.completed;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

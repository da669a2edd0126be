import type { ToolDefinition } from '@agent-orchestrator/contracts';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Checks a call's arguments (JSON text) against its operation's schema, compiling each schema
 * once per key (tenant/tool/version/operation: versions are immutable).
 */
export class ArgumentsValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor() {
    addFormats.default(this.ajv);
  }

  /** Undefined when the arguments fit; otherwise what is wrong with them. */
  problem(key: string, operation: ToolDefinition['operations'][number], argumentsJson: string): string | undefined {
    let args: unknown;
    try {
      args = JSON.parse(argumentsJson);
    } catch {
      return `the arguments are not JSON: ${argumentsJson.slice(0, 200)}`;
    }
    let validate = this.validators.get(key);
    if (validate === undefined) {
      validate = this.ajv.compile(operation.inputSchema);
      this.validators.set(key, validate);
    }
    return validate(args) ? undefined : `the arguments do not match ${operation.name}: ${this.ajv.errorsText(validate.errors, { dataVar: 'arguments' })}`;
  }
}

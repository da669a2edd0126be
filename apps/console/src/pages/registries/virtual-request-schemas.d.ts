/** The virtual module apps/console/request-schemas.ts builds: request-body schemas and their Ajv validators. */
declare module 'virtual:request-schemas' {
  import type { JsonSchema } from './json-schema';

  export interface SchemaError {
    readonly instancePath: string;
    readonly keyword: string;
    readonly message?: string;
    readonly params: Readonly<Record<string, unknown>>;
  }
  export interface Validate {
    (value: unknown): boolean;
    errors?: readonly SchemaError[] | null;
  }
  export const registerAgent: Validate;
  export const updateAgent: Validate;
  export const setPolicies: Validate;
  export const registerTool: Validate;
  export const schemas: Readonly<Record<'registerAgent' | 'updateAgent' | 'setPolicies' | 'registerTool', JsonSchema>>;
}

/**
 * The request-body schemas the console's forms are built from and checked against as a person
 * types, served to the console as the virtual module `virtual:request-schemas`.
 *
 * They come from libs/client/openapi.json, the gateway's served document as the client was last
 * generated from it (`npm run client:generate`), so a form and the API it sends to cannot disagree
 * about a field. The validators are Ajv's, compiled here at build time into plain code ("standalone"):
 * the gateway's Content-Security-Policy (`script-src 'self'`) rightly forbids the `new Function`
 * Ajv would need to compile them in the browser.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import type { Plugin } from 'vite';

// A CommonJS module whose default export the two TypeScript configurations that see this file
// (bundler and NodeNext resolution) type differently: required, it is the function either way.
const standaloneCode = createRequire(import.meta.url)('ajv/dist/standalone') as (ajv: Ajv, refs: Record<string, string>) => string;

export const documentPath = join(import.meta.dirname, '../../libs/client/openapi.json');

/** The operations whose request bodies the console's forms send. */
export const formOperations = ['registerAgent', 'updateAgent', 'setPolicies', 'registerTool'] as const;

type Document = { paths: Record<string, Record<string, { operationId?: string; requestBody?: { content: Record<string, { schema: object }> } }>> };

export function requestSchemas(document: Document): Record<(typeof formOperations)[number], object> {
  const found: Record<string, object> = {};
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations)) {
      const schema = operation.requestBody?.content['application/json']?.schema;
      if (schema && (formOperations as readonly string[]).includes(operation.operationId ?? '')) found[operation.operationId!] = schema;
    }
  }
  const missing = formOperations.filter((id) => found[id] === undefined);
  if (missing.length > 0) throw new Error(`libs/client/openapi.json has no request body for ${missing.join(', ')}: regenerate it (npm run client:generate)`);
  return found as Record<(typeof formOperations)[number], object>;
}

/** An ES module exporting `schemas` and one validate function per operation. */
export function requestSchemasModule(document: Document): string {
  const schemas = requestSchemas(document);
  // unicode: false counts string lengths in UTF-16 units as the gateway's zod does (and needs no
  // runtime import); the format zod writes for an http(s) URL gets a pattern of its own.
  const ajv = new Ajv({ allErrors: true, strict: false, unicode: false, logger: false, code: { source: true, esm: true } });
  ajv.addFormat('uri', /^https?:\/\/[^\s/?#]+[^\s]*$/i);
  for (const id of formOperations) ajv.addSchema(schemas[id], id);
  const validators = standaloneCode(ajv, Object.fromEntries(formOperations.map((id) => [id, id])));
  return `${validators}\nexport const schemas = ${JSON.stringify(schemas)};\n`;
}

export function requestSchemasPlugin(): Plugin {
  const id = 'virtual:request-schemas';
  return {
    name: 'request-schemas',
    resolveId: (source) => (source === id ? `\0${id}` : undefined),
    load(loaded) {
      if (loaded !== `\0${id}`) return undefined;
      this.addWatchFile(documentPath);
      return requestSchemasModule(JSON.parse(readFileSync(documentPath, 'utf8')) as Document);
    },
  };
}

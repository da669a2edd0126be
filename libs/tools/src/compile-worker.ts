import { compileOpenApi, readToolDocument, ToolDocumentError } from './openapi-tool.js';
import type { CompileRequest, CompileAnswer } from './tool-compiler.js';

/**
 * Runs in a worker thread (ToolCompiler): reads the document's text and compiles it, so a large
 * document never holds up the process's other requests. A document fetched from a URL is not
 * quoted back when it is not one (what an address answered may be anything).
 */
export default async function compile({ input, fetchedFrom, options }: CompileRequest): Promise<CompileAnswer> {
  try {
    const given = asJson(input);
    const document = fetchedFrom === undefined ? readToolDocument(given) : fetchedDocument(fetchedFrom, given);
    return { ok: true, document, compiled: await compileOpenApi(document, options) };
  } catch (error) {
    if (error instanceof ToolDocumentError) return { ok: false, message: error.message };
    // A hostile or broken document nested thousands deep exhausts the parser's stack: it is the document's fault.
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      return { ok: false, message: 'The document is nested too deeply to read (its objects or arrays go thousands of levels down); no OpenAPI document needs that.' };
    }
    throw error;
  }
}

/**
 * JSON text parsed as JSON: YAML reads JSON too, but a dozen times slower, and most large
 * documents are JSON. Anything else is left for readToolDocument (YAML, or its error).
 */
function asJson(input: unknown): unknown {
  if (typeof input !== 'string' || !/^\s*\{/.test(input)) return input;
  try {
    return JSON.parse(input) as unknown;
  } catch {
    return input;
  }
}

/**
 * The fetched text as a document, when it is one. Until it shows an `openapi` (or `swagger`)
 * field it is just something an address answered, and what it holds is not repeated back: the
 * parser's message would quote it.
 */
function fetchedDocument(url: string, text: unknown): Record<string, unknown> {
  let document: Record<string, unknown> | undefined;
  try {
    document = readToolDocument(text);
  } catch {
    document = undefined;
  }
  if (document === undefined || (typeof document.openapi !== 'string' && typeof document.swagger !== 'string')) {
    throw new ToolDocumentError(`What ${url} answered is not an OpenAPI or Swagger document (JSON or YAML with an "openapi" or "swagger" field).`);
  }
  return document;
}

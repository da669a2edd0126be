type JsonSchema = Readonly<Record<string, unknown>>;

const MAX_DEPTH = 8;

function asSchema(value: unknown): JsonSchema | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonSchema) : undefined;
}

function resolveRef(ref: string, root: JsonSchema): JsonSchema | undefined {
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  if (!match?.[1] || !match[2]) {
    return undefined;
  }
  return asSchema(asSchema(root[match[1]])?.[match[2]]);
}

/** Zero when the bounds allow it, else the bound nearest zero. */
function sampleNumber(node: JsonSchema): number {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = node;
  const low = typeof exclusiveMinimum === 'number' ? exclusiveMinimum + 1 : typeof minimum === 'number' ? minimum : -Infinity;
  const high = typeof exclusiveMaximum === 'number' ? exclusiveMaximum - 1 : typeof maximum === 'number' ? maximum : Infinity;
  return Math.min(Math.max(0, low), high);
}

/**
 * The simplest value a JSON schema accepts, for tool arguments and outputs the script leaves out:
 * the first enum value, minimal numbers, empty or minimal arrays, every declared property (strict
 * schemas require them all). Deterministic, and good enough for the schemas tools and outputs use;
 * not a validator.
 */
export function sampleFromJsonSchema(schema: unknown, root: unknown = schema, depth = 0): unknown {
  const node = asSchema(schema);
  const rootNode = asSchema(root) ?? {};
  if (node === undefined || depth > MAX_DEPTH) {
    return null;
  }
  if (typeof node.$ref === 'string') {
    return sampleFromJsonSchema(resolveRef(node.$ref, rootNode), rootNode, depth + 1);
  }
  if ('const' in node) {
    return node.const;
  }
  if (Array.isArray(node.enum) && node.enum.length > 0) {
    return node.enum[0];
  }
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = node[key];
    if (Array.isArray(options)) {
      const first = options.find((option) => asSchema(option)?.type !== 'null') ?? options[0];
      return sampleFromJsonSchema(first, rootNode, depth + 1);
    }
  }
  const types = Array.isArray(node.type) ? (node.type as unknown[]) : [node.type];
  const type = types.find((candidate) => candidate !== 'null') ?? types[0];
  switch (type) {
    case 'object': {
      const properties = asSchema(node.properties) ?? {};
      return Object.fromEntries(
        Object.entries(properties).map(([name, property]) => [name, sampleFromJsonSchema(property, rootNode, depth + 1)]),
      );
    }
    case 'array': {
      const count = typeof node.minItems === 'number' ? node.minItems : 0;
      return Array.from({ length: count }, () => sampleFromJsonSchema(node.items, rootNode, depth + 1));
    }
    case 'string': {
      const minLength = typeof node.minLength === 'number' ? node.minLength : 0;
      return 'scripted'.padEnd(minLength, '.');
    }
    case 'integer':
    case 'number':
      return sampleNumber(node);
    case 'boolean':
      return false;
    default:
      return null;
  }
}

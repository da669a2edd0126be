import { Badge, Box, Code, Group, Stack, Text } from '@mantine/core';
import { constraintsOf, typeOf, type JsonSchema } from './json-schema';

/**
 * A JSON Schema as a reader wants it: each property with its type, whether it is required, its
 * description, allowed values and limits; objects inside (also array items) nested below.
 */
export function SchemaView({ schema, depth = 0 }: { schema: JsonSchema; depth?: number }) {
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  if (properties.length === 0) {
    return <Text size="sm" c="dimmed">{depth === 0 ? 'No arguments.' : `Any ${typeOf(schema)}.`}</Text>;
  }
  return (
    <Stack gap="xs" component="ul" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
      {properties.map(([name, property]) => (
        <PropertyView key={name} name={name} schema={property} required={required.has(name)} depth={depth} />
      ))}
    </Stack>
  );
}

function PropertyView({ name, schema, required, depth }: { name: string; schema: JsonSchema; required: boolean; depth: number }) {
  const inner = schema.type === 'array' && schema.items ? schema.items : schema;
  const nested = inner.properties && depth < 4 ? inner : undefined;
  const values = schema.enum ?? schema.items?.enum;
  const limits = constraintsOf(schema);
  return (
    <Box component="li" pl={depth > 0 ? 'sm' : 0} style={depth > 0 ? { borderLeft: '2px solid var(--mantine-color-default-border)' } : undefined}>
      <Group gap={6} wrap="wrap">
        <Code fw={600}>{name}</Code>
        <Text size="sm" c="dimmed" component="span">{typeOf(schema)}</Text>
        {required ? <Badge size="xs" color="orange" variant="dot" tt="none">required</Badge> : <Badge size="xs" variant="default" tt="none">optional</Badge>}
      </Group>
      {schema.description && <Text size="sm" mt={2}>{schema.description}</Text>}
      {values && (
        <Text size="sm" mt={2}>
          One of:{' '}
          {values.map((value, index) => (
            <span key={String(value)}>
              {index > 0 && ', '}
              <Code>{String(value)}</Code>
            </span>
          ))}
        </Text>
      )}
      {limits.length > 0 && <Text size="xs" c="dimmed" mt={2} style={{ overflowWrap: 'anywhere' }}>{limits.join(' · ')}</Text>}
      {nested && (
        <Box mt={6}>
          <SchemaView schema={nested} depth={depth + 1} />
        </Box>
      )}
    </Box>
  );
}

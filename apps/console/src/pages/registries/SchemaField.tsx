import { Fieldset, MultiSelect, NumberInput, Select, Stack, TagsInput, Textarea, TextInput } from '@mantine/core';
import type { JsonSchema } from './json-schema';
import { VariantListInput } from './VariantListInput';

export interface FieldProps {
  readonly name: string;
  readonly schema: JsonSchema;
  readonly value: unknown;
  readonly onChange: (value: unknown) => void;
  /** JSON Pointer fragment of this field in the body (`#/guardrails/0/terms`). */
  readonly pointer: string;
  readonly errorFor: (pointer: string) => string | undefined;
  readonly touch: (pointer: string) => void;
  readonly required?: boolean;
  /** Values to offer for a list of names (tools, agents). */
  readonly suggestions?: readonly string[];
  readonly size?: 'xs' | 'sm';
}

/** `rateLimitPerMinute` → "Rate limit per minute". */
export function labelOf(name: string): string {
  const words = name.replace(/_/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const isStringList = (schema: JsonSchema) => schema.type === 'array' && schema.items?.type === 'string';

/**
 * One input for one property, chosen from its schema: a choice for an enum, a number input for
 * numbers, tags for a list of strings, a list of shapes for an array of `oneOf`, a group for an
 * object, text otherwise (several lines when it may be long).
 */
export function SchemaField(props: FieldProps) {
  const { name, schema, value, onChange, pointer, errorFor, touch, required, suggestions, size = 'sm' } = props;
  const label = labelOf(name);
  const common = { label, description: schema.description, required, error: errorFor(pointer), size };
  const changed = (next: unknown) => {
    touch(pointer);
    onChange(next);
  };
  if (schema.enum) {
    return <Select {...common} data={schema.enum.map(String)} value={value === undefined ? null : String(value)} onChange={(next) => changed(next ?? undefined)} clearable={!required} allowDeselect={!required} />;
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    return <NumberInput {...common} min={schema.minimum} max={schema.maximum} allowDecimal={schema.type === 'number'} value={typeof value === 'number' ? value : ''} onChange={(next) => changed(typeof next === 'number' ? next : undefined)} />;
  }
  if (schema.type === 'array' && schema.items?.enum) {
    return <MultiSelect {...common} data={schema.items.enum.map(String)} value={(value as string[] | undefined) ?? []} onChange={(next) => changed(next.length > 0 ? next : undefined)} />;
  }
  if (isStringList(schema)) {
    // A list that must name at least one is left out when empty: "any", as the API reads its absence.
    return <TagsInput {...common} placeholder="Type, then Enter" data={suggestions ? [...suggestions] : []} value={(value as string[] | undefined) ?? []} onChange={(next) => changed(next.length === 0 && (schema.minItems ?? 0) > 0 ? undefined : next)} />;
  }
  if (schema.type === 'array' && schema.items?.oneOf) {
    return <VariantListInput {...props} label={label} />;
  }
  if (schema.type === 'object' && schema.properties) {
    const object = (value as Record<string, unknown> | undefined) ?? {};
    const requiredHere = new Set(schema.required ?? []);
    return (
      <Fieldset legend={label} variant="filled">
        <Stack gap="xs">
          {Object.entries(schema.properties).map(([key, property]) => (
            <SchemaField key={key} name={key} schema={property} value={object[key]} pointer={`${pointer}/${key}`} errorFor={errorFor} touch={touch} required={requiredHere.has(key)} size={size}
              onChange={(next) => onChange(withField(object, key, next))} />
          ))}
        </Stack>
      </Fieldset>
    );
  }
  const text = typeof value === 'string' ? value : '';
  if ((schema.maxLength ?? 0) > 1000) {
    return <Textarea {...common} autosize minRows={name === 'instructions' ? 4 : 2} maxRows={14} value={text} onChange={(event) => changed(event.currentTarget.value)} />;
  }
  return <TextInput {...common} value={text} onChange={(event) => changed(event.currentTarget.value)} autoComplete="off" />;
}

/** The object with `key` set, or left out when the value is empty. */
export function withField(object: Readonly<Record<string, unknown>>, key: string, value: unknown): Record<string, unknown> {
  const { [key]: _previous, ...rest } = object;
  return value === undefined ? rest : { ...rest, [key]: value };
}

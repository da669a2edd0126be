import { Button, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDeferredValue, useMemo, useState } from 'react';
import { OperationCard } from './OperationCard';
import type { ToolOperation } from './queries';

/** Operations shown at first, and added by each "Show more": a document may hold a thousand. */
const page = 25;

/** Whether every word of the filter is in the operation's name, method, path or description. */
function matches(operation: ToolOperation, words: readonly string[]): boolean {
  const text = `${operation.name} ${operation.method} ${operation.path} ${operation.description}`.toLowerCase();
  return words.every((word) => text.includes(word));
}

/** A tool's operations, filtered by words as you type and shown a page at a time. */
export function OperationList({ operations }: { operations: readonly ToolOperation[] }) {
  const [filter, setFilter] = useState('');
  const [shown, setShown] = useState(page);
  const deferred = useDeferredValue(filter);
  const found = useMemo(() => {
    const words = deferred.toLowerCase().split(/\s+/).filter(Boolean);
    return words.length === 0 ? operations : operations.filter((operation) => matches(operation, words));
  }, [operations, deferred]);
  const visible = found.slice(0, shown);
  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
        <Title order={2} size="h4">Operations ({operations.length})</Title>
        {operations.length > 5 && (
          <TextInput
            label="Filter operations"
            placeholder="Name, method, path or words of its summary"
            value={filter}
            onChange={(event) => {
              setFilter(event.currentTarget.value);
              setShown(page);
            }}
            w={{ base: '100%', sm: 320 }}
          />
        )}
      </Group>
      {operations.length > 5 && (
        <Text size="sm" c="dimmed" aria-live="polite">
          {found.length === operations.length ? `Showing ${visible.length} of ${operations.length}.` : `${found.length} of ${operations.length} match; showing ${visible.length}.`}
        </Text>
      )}
      {visible.map((operation) => (
        <OperationCard key={operation.name} operation={operation} />
      ))}
      {found.length > visible.length && (
        <Button variant="default" onClick={() => setShown((before) => before + page)} style={{ alignSelf: 'center' }}>
          Show {Math.min(page, found.length - visible.length)} more
        </Button>
      )}
    </Stack>
  );
}

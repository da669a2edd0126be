import { Box, Group, Text, VisuallyHidden } from '@mantine/core';
import { diffLines } from 'diff';
import { useMemo } from 'react';
import { Failed, Loading } from '../registries/Loading';
import { documentOf, usePolicyVersion } from './queries';

interface Line {
  readonly kind: 'added' | 'removed' | 'same';
  readonly text: string;
}

const marks = { added: '+', removed: '−', same: ' ' } as const;
const backgrounds = { added: 'var(--mantine-color-green-light)', removed: 'var(--mantine-color-red-light)', same: 'transparent' } as const;

/**
 * Two versions' documents as pretty JSON, line by line: each added line marked "+" and each removed
 * one "−" (and said so to a screen reader), so the change reads without its colour.
 */
export function PolicyDiff({ from, to }: { from: number; to: number }) {
  const before = usePolicyVersion(from);
  const after = usePolicyVersion(to);
  const lines = useMemo<Line[] | undefined>(() => {
    if (!before.data || !after.data) return undefined;
    const changes = diffLines(JSON.stringify(documentOf(before.data), null, 2), JSON.stringify(documentOf(after.data), null, 2));
    return changes.flatMap((change) => change.value.replace(/\n$/, '').split('\n').map((text) => ({ kind: change.added ? 'added' : change.removed ? 'removed' : 'same', text }) as Line));
  }, [before.data, after.data]);
  if (before.isError || after.isError) return <Failed what="the versions to compare" error={before.error ?? after.error} />;
  if (!lines) return <Loading what="the versions to compare" />;
  const added = lines.filter((line) => line.kind === 'added').length;
  const removed = lines.filter((line) => line.kind === 'removed').length;
  return (
    <Box>
      <Group gap="md" mb={6}>
        <Text size="sm" aria-live="polite">
          v{from} → v{to}: {added === 0 && removed === 0 ? 'no difference' : `${added} line${added === 1 ? '' : 's'} added, ${removed} removed`}
        </Text>
      </Group>
      <Box
        component="pre"
        tabIndex={0}
        aria-label={`Differences from version ${from} to version ${to}`}
        m={0}
        p="xs"
        style={{ overflow: 'auto', maxHeight: 480, fontSize: 'var(--mantine-font-size-xs)', border: '1px solid var(--mantine-color-default-border)', borderRadius: 'var(--mantine-radius-sm)' }}
      >
        {lines.map((line, index) => (
          <Box key={index} component="div" data-change={line.kind} style={{ background: backgrounds[line.kind], whiteSpace: 'pre' }}>
            <span aria-hidden>{marks[line.kind]} </span>
            {line.kind !== 'same' && <VisuallyHidden component="span">{line.kind}: </VisuallyHidden>}
            {line.text}
          </Box>
        ))}
      </Box>
    </Box>
  );
}

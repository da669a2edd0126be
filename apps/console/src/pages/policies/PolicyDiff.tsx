import { Box, Group, Text, VisuallyHidden } from '@mantine/core';
import { diffLines } from 'diff';
import { useMemo } from 'react';
import { Failed, Loading } from '../registries/Loading';
import { documentOf, usePolicyVersion } from './queries';

interface Line {
  readonly kind: 'added' | 'removed' | 'same' | 'skipped';
  readonly text: string;
}

/** Unchanged lines kept on each side of a change; longer unchanged runs fold into one line that says how many. */
const context = 3;

function folded(lines: readonly Line[]): Line[] {
  const near = lines.map((_, index) => lines.slice(Math.max(0, index - context), index + context + 1).some((line) => line.kind !== 'same'));
  const shown: Line[] = [];
  let skipped = 0;
  lines.forEach((line, index) => {
    if (line.kind === 'same' && !near[index]) {
      skipped += 1;
      return;
    }
    if (skipped > 0) shown.push({ kind: 'skipped', text: `… ${skipped} unchanged line${skipped === 1 ? '' : 's'}` });
    skipped = 0;
    shown.push(line);
  });
  if (skipped > 0) shown.push({ kind: 'skipped', text: `… ${skipped} unchanged line${skipped === 1 ? '' : 's'}` });
  return shown;
}

const marks = { added: '+', removed: '−', same: ' ', skipped: ' ' } as const;
const backgrounds = { added: 'var(--mantine-color-green-light)', removed: 'var(--mantine-color-red-light)', same: 'transparent', skipped: 'transparent' } as const;

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
    return folded(changes.flatMap((change) => change.value.replace(/\n$/, '').split('\n').map((text) => ({ kind: change.added ? 'added' : change.removed ? 'removed' : 'same', text }) as Line)));
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
          <Box key={index} component="div" data-change={line.kind} c={line.kind === 'skipped' ? 'dimmed' : undefined} fs={line.kind === 'skipped' ? 'italic' : undefined} style={{ background: backgrounds[line.kind], whiteSpace: 'pre' }}>
            <span aria-hidden>{marks[line.kind]} </span>
            {(line.kind === 'added' || line.kind === 'removed') && <VisuallyHidden component="span">{line.kind}: </VisuallyHidden>}
            {line.text}
          </Box>
        ))}
      </Box>
    </Box>
  );
}

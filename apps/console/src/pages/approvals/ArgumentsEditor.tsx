import { Alert, Button, Group, List, Stack, Text, Textarea, Title } from '@mantine/core';
import { readableAlert } from './alert-styles';
import { useId, useState } from 'react';
import { checkArguments } from './arguments-check';
import classes from './approvals.module.css';
import { ArgumentsDiff, prettyJson } from './ArgumentsDiff';

interface ArgumentsEditorProps {
  readonly requested: unknown;
  /** Where editing starts: the arguments the call would run with now (an earlier approver may have edited them). */
  readonly current: unknown;
  /** The operation's input schema from the tool registry; without it only JSON is checked, and the gateway checks the rest. */
  readonly inputSchema: Record<string, unknown> | undefined;
  readonly busy: boolean;
  onApprove(edited: Record<string, unknown>): void;
  onCancel(): void;
}

/** Edits the call's arguments, checked against the operation's schema as one types, with the change shown before approving. */
export function ArgumentsEditor({ requested, current, inputSchema, busy, onApprove, onCancel }: ArgumentsEditorProps) {
  const [text, setText] = useState(() => prettyJson(current));
  const check = checkArguments(text, inputSchema);
  const problemsId = useId();
  return (
    <Stack gap="sm">
      <Title order={3} size="h5">Edit arguments</Title>
      <Textarea
        label="Arguments (JSON)"
        description={inputSchema ? 'Checked against the operation\'s input schema as you type.' : 'The registry gave no schema for this operation: only JSON is checked here.'}
        value={text}
        onChange={(event) => setText(event.currentTarget.value)}
        autosize
        minRows={6}
        maxRows={20}
        spellCheck={false}
        autoFocus
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 'var(--mantine-font-size-sm)', ...(check.ok ? {} : { borderColor: 'var(--mantine-color-red-8)' }) } }}
        // Not Mantine's `error`: its red text is short of AA contrast; the problems below say it in words.
        aria-invalid={!check.ok}
        aria-describedby={check.ok ? undefined : problemsId}
      />
      {check.ok ? (
        <Text size="sm" className={classes.ok} role="status">The arguments match the operation's schema.</Text>
      ) : (
        <Alert styles={readableAlert} color="red" title="These arguments cannot be sent" role="status" id={problemsId}>
          <List size="sm" spacing={2}>
            {check.problems.map((problem) => (
              <List.Item key={`${problem.path} ${problem.message}`}>
                <Text span ff="monospace" size="sm" fw={600}>{problem.path || '(the arguments)'}</Text> {problem.message}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
      <Title order={4} size="h6">Changes from the request</Title>
      {check.ok ? <ArgumentsDiff requested={requested} edited={check.value} /> : <Text size="sm" c="dimmed">Shown once the arguments are valid.</Text>}
      <Group gap="xs">
        <Button color="teal.9" disabled={!check.ok} loading={busy} onClick={() => check.ok && onApprove(check.value)}>Approve</Button>
        <Button variant="default" onClick={onCancel} disabled={busy}>Cancel</Button>
      </Group>
    </Stack>
  );
}

import { Alert, Button, Card, Group, SegmentedControl, Select, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { explain } from '../../shell/explain';
import { describeRange, instantOf, sessionIdsOf } from './format';
import { useRequestExport, type AuditExport, type ExportRequest } from './queries';

type Scope = 'everything' | 'range' | 'sessions';

const scopes: { value: Scope; label: string }[] = [
  { value: 'everything', label: 'Everything' },
  { value: 'range', label: 'Time range' },
  { value: 'sessions', label: 'Sessions' },
];

const maxSessions = 100;
const sessionIdPattern = /^[A-Za-z0-9_.:-]{1,200}$/;

/** The request the form describes, or what to fix first, in the words shown under the field. */
function requestOf(scope: Scope, from: string, to: string, sessionsText: string, previous: string | null): { body: ExportRequest } | { field: 'from' | 'to' | 'sessions'; problem: string } {
  const proveAgainst = previous ? { previousExportId: previous } : {};
  if (scope === 'range') {
    const fromAt = instantOf(from);
    const toAt = instantOf(to);
    if (!fromAt && !toAt) return { field: 'from', problem: 'Give a start, an end, or both (or choose Everything).' };
    if (fromAt && toAt && fromAt >= toAt) return { field: 'to', problem: 'The end must be after the start.' };
    return { body: { ...(fromAt ? { from: fromAt } : {}), ...(toAt ? { to: toAt } : {}), ...proveAgainst } };
  }
  if (scope === 'sessions') {
    const sessionIds = sessionIdsOf(sessionsText);
    if (sessionIds.length === 0) return { field: 'sessions', problem: 'Paste at least one session id.' };
    if (sessionIds.length > maxSessions) return { field: 'sessions', problem: `At most ${maxSessions} sessions per export (${sessionIds.length} given): split them over several.` };
    const bad = sessionIds.find((id) => !sessionIdPattern.test(id));
    if (bad) return { field: 'sessions', problem: `"${bad.slice(0, 40)}" is not a session id: letters, digits, "_", ".", ":" and "-".` };
    return { body: { sessionIds, ...proveAgainst } };
  }
  return { body: proveAgainst };
}

/**
 * Asks for an export: everything, a time range, or whole sessions; optionally proving against an
 * earlier export, so the new bundle shows the log only grew since (nothing removed in between).
 */
export function RequestExport({ completed, onRequested }: { completed: readonly AuditExport[]; onRequested: (exportId: string, request: ExportRequest) => void }) {
  const [scope, setScope] = useState<Scope>('everything');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [sessions, setSessions] = useState('');
  const [previous, setPrevious] = useState<string | null>(null);
  const [shownProblem, setShownProblem] = useState<{ field: string; problem: string } | undefined>();
  const request = useRequestExport((exportId, body) => {
    setShownProblem(undefined);
    onRequested(exportId, body);
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = requestOf(scope, from, to, sessions, previous);
    if ('problem' in checked) return setShownProblem(checked);
    setShownProblem(undefined);
    request.mutate(checked.body);
  };
  const problemFor = (field: string) => (shownProblem?.field === field ? shownProblem.problem : undefined);

  return (
    <Card withBorder padding="md" component="section" aria-labelledby="audit-request">
      <Title order={2} size="h4" id="audit-request" mb={4}>Request an export</Title>
      <Text size="sm" c="dimmed" mb="sm">
        One signed file with every event in the range, the proofs that tie them to a signed checkpoint, and the keys to check them with. Anyone can verify it offline.
      </Text>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <SegmentedControl data={scopes} value={scope} onChange={(value) => setScope(value as Scope)} aria-label="What to export" fullWidth />
          {scope === 'range' && (
            <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
              <TextInput type="datetime-local" label="From" description="Events at or after (your time zone)" value={from} onChange={(event) => setFrom(event.currentTarget.value)} error={problemFor('from')} />
              <TextInput type="datetime-local" label="To" description="Events before" value={to} onChange={(event) => setTo(event.currentTarget.value)} error={problemFor('to')} />
            </SimpleGrid>
          )}
          {scope === 'sessions' && (
            <Textarea
              label="Session ids"
              description={`One per line or separated by commas; at most ${maxSessions}. Each event of these sessions comes with its own proof.`}
              autosize
              minRows={3}
              maxRows={8}
              value={sessions}
              onChange={(event) => setSessions(event.currentTarget.value)}
              error={problemFor('sessions')}
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            />
          )}
          <Select
            label="Prove against a previous export"
            description={completed.length === 0 ? 'None yet: the first export starts the chain.' : 'The new bundle then proves the log only grew since that one: nothing in between was removed or rewritten.'}
            placeholder={completed.length === 0 ? 'No completed export' : 'None'}
            data={completed.map((item) => ({ value: item.exportId, label: `${new Date(item.requestedAt).toLocaleString()} · ${describeRange(item.request)}` }))}
            value={previous}
            onChange={setPrevious}
            clearable
            disabled={completed.length === 0}
            comboboxProps={{ withinPortal: true }}
          />
          {request.isError && (
            <Alert color="red" role="alert" title="The export was not requested">
              {explain(request.error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button type="submit" loading={request.isPending}>Request export</Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

import { Alert, Button, Checkbox, Group, Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { explain } from '../../shell/explain';
import { readableAlert } from '../approvals/alert-styles';
import { useReplayAccess } from './access';
import { items, kindVerbs, labelOf } from './format';
import { useOperationAction, type Operation, type OperationAction } from './queries';

/** Confirming runs it for real: said plainly, and with a box to tick when calls with side effects run again. */
function ConfirmDialog({ operation, opened, onClose, onConfirm, busy }: { operation: Operation; opened: boolean; onClose(): void; onConfirm(): void; busy: boolean }) {
  const [understood, setUnderstood] = useState(false);
  const verb = labelOf(kindVerbs, operation.kind);
  const repeats = operation.repeatsSideEffect;
  return (
    <Modal opened={opened} closeButtonProps={{ 'aria-label': 'Close' }} onClose={onClose} title={`Confirm: ${verb} ${items(operation.total)}`} centered>
      <Stack gap="sm">
        <Text size="sm">
          This acts on exactly the {items(operation.total)} of the dry run{operation.rate ? `, at ${operation.rate} items a second` : ''}. You can pause or abort it while it runs; what is done stays done.
        </Text>
        {repeats > 0 && (
          <Alert color="orange" title={`${items(repeats)} will call a tool again`} role="alert" styles={readableAlert}>
            <Stack gap="xs">
              <Text size="sm">Their tool operation is not safe to repeat: whatever it did the first time (an order, a payment, a message) may happen a second time.</Text>
              <Checkbox checked={understood} onChange={(event) => setUnderstood(event.currentTarget.checked)} label={`I understand that ${items(repeats)} repeat a side effect`} />
            </Stack>
          </Alert>
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            Not now
          </Button>
          <Button color={repeats > 0 ? 'orange.9' : undefined} onClick={onConfirm} loading={busy} disabled={repeats > 0 && !understood}>
            Confirm and {verb}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** What the caller may do with the operation in its current status: confirm a dry run; pause, resume or abort a run. */
export function Controls({ operation }: { operation: Operation }) {
  const access = useReplayAccess();
  const action = useOperationAction(operation.operationId);
  const [confirming, setConfirming] = useState(false);
  const { status } = operation;
  if (!access?.mayAct || !['planned', 'running', 'paused'].includes(status)) return null;
  const run = (what: OperationAction) => action.mutate(what, { onSuccess: () => setConfirming(false) });
  const busy = (what: OperationAction) => action.isPending && action.variables === what;
  return (
    <Stack gap="xs">
      <Group gap="sm">
        {status === 'planned' && operation.total > 0 && (
          <Button onClick={() => setConfirming(true)}>
            Confirm and {labelOf(kindVerbs, operation.kind)} {items(operation.total)}
          </Button>
        )}
        {status === 'running' && (
          <Button variant="default" onClick={() => run('pause')} loading={busy('pause')}>
            Pause
          </Button>
        )}
        {status === 'paused' && (
          <Button onClick={() => run('resume')} loading={busy('resume')}>
            Resume
          </Button>
        )}
        <Button variant="outline" color="red.9" onClick={() => run('abort')} loading={busy('abort')}>
          {status === 'planned' ? 'Drop this plan' : 'Abort'}
        </Button>
      </Group>
      {action.isError && (
        <Alert color="red" role="alert" title="Nothing was changed">
          {explain(action.error)}
        </Alert>
      )}
      <ConfirmDialog operation={operation} opened={confirming} onClose={() => setConfirming(false)} onConfirm={() => run('confirm')} busy={busy('confirm')} />
    </Stack>
  );
}

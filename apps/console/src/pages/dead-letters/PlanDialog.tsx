import { Alert, Button, Group, Modal, NumberInput, SegmentedControl, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { explain } from '../../shell/explain';
import { usePlanOperation, type OperationFilter } from '../operations/queries';

export type DeadLetterAction = 'redrive' | 'discard';

/**
 * Plans a redrive or a discard of what was chosen (ids, or everything the filter matches) and
 * lands on its dry run: nothing changes until it is confirmed there. A discard needs a reason,
 * kept in the operation's log.
 */
export function PlanDialog({ opened, onClose, initial, filter, what }: { opened: boolean; onClose(): void; initial: DeadLetterAction; filter: OperationFilter; what: string }) {
  const [action, setAction] = useState<DeadLetterAction>(initial);
  const [reason, setReason] = useState('');
  const [rate, setRate] = useState<string | number>('');
  const [tried, setTried] = useState(false);
  const plan = usePlanOperation();
  const navigate = useNavigate();
  const reasonMissing = action === 'discard' && reason.trim() === '';
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (reasonMissing) return;
    plan.mutate(
      { kind: action, filter, ...(reason.trim() ? { reason: reason.trim() } : {}), ...(typeof rate === 'number' ? { rate } : {}) },
      { onSuccess: (operationId) => void navigate(`/operations/${encodeURIComponent(operationId)}`) },
    );
  };
  return (
    <Modal opened={opened} closeButtonProps={{ 'aria-label': 'Close' }} onClose={onClose} title={`Plan an operation on ${what}`} centered>
      <form onSubmit={submit}>
        <Stack gap="sm">
          <SegmentedControl
            aria-label="What to do"
            fullWidth
            value={action}
            onChange={(value) => setAction(value as DeadLetterAction)}
            data={[
              { value: 'redrive', label: 'Redrive' },
              { value: 'discard', label: 'Discard' },
            ]}
          />
          <Text size="sm" c="dimmed">
            {action === 'redrive'
              ? 'Each message goes back to the consumer group that failed on it (and only to that one); a parked tool call runs once more and its session resumes.'
              : 'Each message is marked discarded and not delivered again; a parked tool call fails and its agent is told why.'}
          </Text>
          <Textarea
            label="Reason"
            description={action === 'discard' ? 'Required: kept in the operation’s log for whoever asks later.' : 'Optional: kept in the operation’s log.'}
            withAsterisk={action === 'discard'}
            value={reason}
            onChange={(event) => setReason(event.currentTarget.value)}
            maxLength={500}
            autosize
            minRows={2}
            error={tried && reasonMissing ? 'Say why these are discarded.' : undefined}
          />
          {action === 'redrive' && <NumberInput label="Rate (items a second)" description="Leave empty for the service's default." min={1} max={10_000} allowDecimal={false} value={rate} onChange={setRate} w={240} />}
          {plan.isError && (
            <Alert color="red" role="alert" title="Nothing was planned">
              {explain(plan.error)}
            </Alert>
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={plan.isPending}>
              See the dry run
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

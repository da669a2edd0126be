import { Alert, Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { readableAlert } from './alert-styles';
import { useState } from 'react';

interface RejectDialogProps {
  readonly opened: boolean;
  readonly call: string;
  readonly agent: string;
  readonly busy: boolean;
  /** Why the last try failed, in words. */
  readonly failure: string | undefined;
  onReject(reason: string): void;
  onClose(): void;
}

/** Asks why before rejecting: the reason is what the agent is told instead of the call's result. */
export function RejectDialog({ opened, call, agent, busy, failure, onReject, onClose }: RejectDialogProps) {
  const [reason, setReason] = useState('');
  const submit = () => reason.trim() && onReject(reason.trim());
  return (
    <Modal opened={opened} onClose={onClose} title={`Reject ${call}?`} centered closeButtonProps={{ 'aria-label': 'Close' }}>
      <form onSubmit={(event) => { event.preventDefault(); submit(); }}>
        <Stack gap="sm">
          <Text size="sm">The call is not made. {agent} is told your reason and can plan around it.</Text>
          <Textarea label="Reason" description="Goes back to the agent and into the session's record." required autosize minRows={3} value={reason} onChange={(event) => setReason(event.currentTarget.value)} data-autofocus />
          {failure && <Alert styles={readableAlert} color="red" role="alert">{failure}</Alert>}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose} disabled={busy}>Cancel</Button>
            <Button type="submit" color="red.8" loading={busy} disabled={reason.trim() === ''}>Reject</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

import { Alert, Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useClient } from '../../auth/credentials';
import { explain } from '../../shell/explain';

/** Cancelling asks first: it stops the agents' work, and a cancelled session cannot be resumed. */
export function CancelSession({ sessionId }: { sessionId: string }) {
  const client = useClient();
  const queries = useQueryClient();
  const [opened, { open, close }] = useDisclosure(false);
  const [reason, setReason] = useState('');
  const cancel = useMutation({
    mutationFn: () => client.sessions.cancel(sessionId, reason.trim() || undefined),
    onSuccess: () => {
      close();
      void queries.invalidateQueries({ queryKey: ['session', sessionId] });
    },
  });
  return (
    <>
      <Button color="red" variant="light" onClick={open}>
        Cancel
      </Button>
      <Modal opened={opened} onClose={close} closeButtonProps={{ 'aria-label': 'Close' }} title="Cancel this session?">
        <Stack gap="md">
          <Text size="sm">The agents stop where they are. A cancelled session cannot be resumed; start a new one to try again.</Text>
          <Textarea label="Reason" description="Optional; kept in the session's log." maxLength={4000} autosize minRows={2} value={reason} onChange={(event) => setReason(event.currentTarget.value)} />
          {cancel.isError && (
            <Alert color="red" role="alert" title="The session was not cancelled">
              {explain(cancel.error)}
            </Alert>
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={close}>
              Keep it running
            </Button>
            <Button color="red.8" onClick={() => cancel.mutate()} loading={cancel.isPending}>
              Cancel session
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

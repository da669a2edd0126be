import { isProblem } from '@agent-orchestrator/client';
import type { Decision } from '@agent-orchestrator/client';
import { Alert, Button, Divider, Group, Loader, Stack, Text } from '@mantine/core';
import { readableAlert } from './alert-styles';
import { useHotkeys } from '@mantine/hooks';
import { useState } from 'react';
import { useCaller } from '../../auth/caller';
import { explain } from '../../shell/explain';
import { callName, type Approval } from './approval';
import { ArgumentsEditor } from './ArgumentsEditor';
import { CallSection, OutcomeNotice, SessionSection, WhyHeldSection } from './DetailSections';
import { decisionRight } from './may-decide';
import { useApproval, useDecide, useOperation } from './queries';
import { RejectDialog } from './RejectDialog';

export type DecisionAnswer = Awaited<ReturnType<ReturnType<typeof useDecide>['mutateAsync']>>;

interface ApprovalDetailProps {
  readonly approvalId: string;
  /** The list's copy, shown until the item's own read answers. */
  readonly fromList: Approval | undefined;
  /** Whether the gateway's `for=me` inbox holds the item: who may decide, while the caller's roles are unknown. */
  readonly inMyInbox: boolean;
  onDecided(approval: Approval, decision: Decision, answer: DecisionAnswer): void;
}

/** One held call, everything a reviewer needs to decide it, and the decision. */
export function ApprovalDetail({ approvalId, fromList, inMyInbox, onDecided }: ApprovalDetailProps) {
  const query = useApproval(approvalId);
  const approval = query.data ?? fromList;
  if (!approval) {
    if (query.error) return <Alert styles={readableAlert} color="red" title="This approval could not be read">{explain(query.error)}</Alert>;
    return <Group gap="xs" role="status"><Loader size="sm" /><Text size="sm">Reading the approval…</Text></Group>;
  }
  return <LoadedDetail approval={approval} inMyInbox={inMyInbox} onDecided={onDecided} />;
}

function LoadedDetail({ approval, inMyInbox, onDecided }: { approval: Approval } & Pick<ApprovalDetailProps, 'inMyInbox' | 'onDecided'>) {
  const caller = useCaller();
  const decide = useDecide();
  const operation = useOperation(approval);
  const [mode, setMode] = useState<'view' | 'edit' | 'reject'>('view');
  const refused = isProblem(decide.error) && decide.error.status === 403;
  const right = decisionRight(approval, caller, inMyInbox, refused);
  const open = right.may && !decide.isPending;

  const send = (decision: Decision) =>
    decide.mutate({ approval, decision }, { onSuccess: (answer) => { setMode('view'); onDecided(approval, decision, answer); } });
  const approve = () => open && send({ decision: 'approve' });

  // Single keys only while nothing else has the keyboard (Mantine ignores them in inputs and textareas).
  useHotkeys([
    ['a', () => mode === 'view' && approve()],
    ['r', () => mode === 'view' && open && setMode('reject')],
    ['e', () => mode === 'view' && open && setMode('edit')],
  ]);

  return (
    <Stack gap="md">
      <CallSection approval={approval} />
      <OutcomeNotice approval={approval} />
      {decide.error && (
        <Alert styles={readableAlert} color="red" title={refused ? 'Not yours to decide' : 'The decision was not recorded'} role="alert">
          {explain(decide.error)}
        </Alert>
      )}
      {right.may && mode === 'edit' && (
        <ArgumentsEditor
          requested={approval.requestedArguments}
          current={approval.arguments}
          inputSchema={operation.data?.inputSchema}
          busy={decide.isPending}
          onApprove={(edited) => send({ decision: 'approve', arguments: edited })}
          onCancel={() => setMode('view')}
        />
      )}
      {right.may && mode !== 'edit' && (
        <Group gap="xs">
          <Button color="teal.9" onClick={approve} loading={decide.isPending && decide.variables?.decision.decision === 'approve'} disabled={!open}>Approve</Button>
          <Button color="red.8" onClick={() => setMode('reject')} disabled={!open}>Reject</Button>
          <Button variant="default" onClick={() => setMode('edit')} disabled={!open}>Edit arguments</Button>
        </Group>
      )}
      {!right.may && approval.status === 'pending' && <Text size="sm" c="dimmed" role="note">{right.why}</Text>}
      <Divider />
      <WhyHeldSection approval={approval} />
      <Divider />
      <SessionSection approval={approval} />
      <RejectDialog
        opened={mode === 'reject' && right.may}
        call={callName(approval)}
        agent={approval.agent}
        busy={decide.isPending}
        failure={decide.error ? explain(decide.error) : undefined}
        onReject={(reason) => send({ decision: 'reject', reason })}
        onClose={() => setMode('view')}
      />
    </Stack>
  );
}

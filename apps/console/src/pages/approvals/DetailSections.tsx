import { Alert, Anchor, Badge, Blockquote, Code, Group, List, Loader, Stack, Text, Title } from '@mantine/core';
import { readableAlert } from './alert-styles';
import { Link } from 'react-router';
import { explain } from '../../shell/explain';
import { callName, shortId, targetOf, type Approval } from './approval';
import { ArgumentsDiff, prettyJson } from './ArgumentsDiff';
import classes from './approvals.module.css';
import { useOperation, useStepContext } from './queries';
import { TimeLeft } from './TimeLeft';
import { ago, useNow } from './time';

/** A principal as people can tell them apart: a UUID shortened, a name or e-mail as it is. */
const who = (by: { id: string; roles: readonly string[] }) => `${/^[0-9a-f-]{36}$/i.test(by.id) ? shortId(by.id) : by.id} (${by.roles.join(', ')})`;

/** The call: what the agent wants to run and with what. */
export function CallSection({ approval }: { approval: Approval }) {
  const operation = useOperation(approval);
  const target = targetOf(approval);
  const method = (operation.data?.method ?? target.method)?.toUpperCase();
  return (
    <Stack gap="xs">
      <Title order={2} size="h3" className={classes.callName}>{callName(approval)}</Title>
      <Group gap={6}>
        {method && <Badge variant="filled" color="dark" tt="none">{method}{operation.data ? ` ${operation.data.path}` : ''}</Badge>}
        <Badge variant="default" tt="none">asked by {approval.agent}</Badge>
        <Badge variant="light" color="gray" tt="none">waits for {approval.role}</Badge>
        {target.version !== undefined && <Badge variant="light" color="gray" tt="none">{target.tool} v{target.version}</Badge>}
      </Group>
      {operation.data?.description && <Text size="sm" c="dimmed">{operation.data.description}</Text>}
      {approval.status === 'pending' && <TimeLeft approval={approval} />}
      <Title order={3} size="h5" mt="xs">Arguments</Title>
      <Code block className={classes.json}>{prettyJson(approval.arguments)}</Code>
      {approval.edited && (
        <Stack gap={4}>
          <Text size="sm">An approver edited these; the change from what {approval.agent} asked for:</Text>
          <ArgumentsDiff requested={approval.requestedArguments} edited={approval.arguments} />
        </Stack>
      )}
    </Stack>
  );
}

/** Why the call waits: the policy rule that held it, and the votes so far against the quorum. */
export function WhyHeldSection({ approval }: { approval: Approval }) {
  const now = useNow(15_000);
  const approvals = approval.votes.length;
  return (
    <Stack gap={6}>
      <Title order={3} size="h5">Why it waits</Title>
      <Text size="sm">
        Held by rule <Code>{approval.rule.id}</Code> of policy version {approval.rule.policyVersion}:
      </Text>
      <Blockquote p="xs" pl="sm" fz="sm" color="gray">{approval.rule.reason}</Blockquote>
      <Text size="sm">
        <Text span fw={600}>{approvals} of {approval.approversRequired}</Text> {approval.approversRequired === 1 ? 'approval' : 'approvals'} needed so far
        {approval.escalated ? '; escalated to an admin' : ''}.
      </Text>
      {approvals > 0 && (
        <List size="sm" spacing={2}>
          {approval.votes.map((vote) => (
            <List.Item key={`${vote.id} ${vote.at}`}>
              Approved by {who(vote)} {ago(vote.at, now)}{vote.reason ? `: “${vote.reason}”` : ''}
            </List.Item>
          ))}
        </List>
      )}
    </Stack>
  );
}

/** The session around the call: its goal, the held step, and what the steps before it found. */
export function SessionSection({ approval }: { approval: Approval }) {
  const context = useStepContext(approval);
  return (
    <Stack gap={6}>
      <Title order={3} size="h5">Session</Title>
      <Text size="sm"><Text span fw={600}>Goal:</Text> {approval.context.goal}</Text>
      {approval.context.stepId && (
        <Text size="sm"><Text span fw={600}>Step:</Text> {context.data?.stepTitle ?? approval.context.stepId} <Text span c="dimmed">({approval.context.stepId})</Text></Text>
      )}
      <Anchor component={Link} to={`/sessions/${approval.sessionId}`} size="sm">Open session {shortId(approval.sessionId)}</Anchor>
      <Title order={4} size="h6" mt={4}>Earlier steps</Title>
      {context.isPending && <Group gap="xs"><Loader size="xs" /><Text size="sm">Reading the session's log…</Text></Group>}
      {context.error && <Alert styles={readableAlert} color="red" variant="light">{explain(context.error)}</Alert>}
      {context.data && context.data.earlier.length === 0 && <Text size="sm" c="dimmed">No step finished before this call.</Text>}
      {context.data?.earlier.map((step) => (
        <Stack key={step.stepId} gap={2}>
          <Text size="sm" fw={600}>{step.title}</Text>
          <Text size="sm" className={classes.json}>{step.output}</Text>
        </Stack>
      ))}
    </Stack>
  );
}

/** What became of an item that no longer waits, said once it is known (e.g. decided by someone else while open). */
export function OutcomeNotice({ approval }: { approval: Approval }) {
  const now = useNow(15_000);
  if (approval.status === 'pending') return null;
  const when = approval.settledAt ? ago(approval.settledAt, now) : '';
  const by = approval.outcome?.by ? ` by ${who(approval.outcome.by)}` : '';
  const reason = approval.outcome?.reason ? `: “${approval.outcome.reason}”` : '';
  const [color, text] =
    approval.status === 'granted' ? (['green', `Approved${by} ${when}${reason}`] as const)
    : approval.status === 'rejected' ? (['red', `Rejected${by} ${when}${reason}`] as const)
    : (['gray', `Expired ${when}: nobody decided in time${approval.onExpiry === 'escalate' ? ' (it was escalated)' : ''}.`] as const);
  return (
    <Alert styles={readableAlert} color={color} variant="light" title="No longer waits" role="status">
      {text}
    </Alert>
  );
}

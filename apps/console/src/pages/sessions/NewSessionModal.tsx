import { Alert, Button, Group, JsonInput, Modal, NumberInput, Select, SimpleGrid, Stack, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type CSSProperties, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useClient } from '../../auth/credentials';
import { explain } from '../../shell/explain';

/**
 * The scripted model's named fixtures (services/agent-runtime/src/model/fixtures.ts) that run in
 * the demo tenant, for trying the platform without a model key. The value goes into the context
 * as `modelFixture`.
 */
export const modelFixtures = [
  { value: '', label: "None: the tenant's model" },
  { value: 'demo-upgrade-customer', label: 'Demo: upgrade customer 42 (asks an approver)' },
  { value: 'tool-call-then-answer', label: 'One step that calls a tool, then answers' },
  { value: 'three-steps-rework-once', label: 'Three steps, reworked once after review' },
  { value: 'planner-fails', label: 'The planner fails' },
];

type ContextCheck = { context: Record<string, unknown> } | { error: string };

function contextOf(text: string, modelFixture: string): ContextCheck {
  let parsed: unknown = {};
  if (text.trim()) {
    try {
      parsed = JSON.parse(text);
    } catch {
      return { error: 'This is not JSON. Write an object, like {"customerId": "42"}.' };
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { error: 'The context is a JSON object: {"name": value, …}.' };
  const context = parsed as Record<string, unknown>;
  if (modelFixture && ('modelFixture' in context || 'modelScript' in context)) return { error: 'The context already names a model script; choose "None" as model fixture, or remove it here.' };
  return { context: modelFixture ? { ...context, modelFixture } : context };
}

export function NewSessionModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const client = useClient();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [goal, setGoal] = useState('');
  const [contextText, setContextText] = useState('');
  const [modelFixture, setModelFixture] = useState('');
  const [maxSteps, setMaxSteps] = useState<number | string>('');
  const [maxCostUsd, setMaxCostUsd] = useState<number | string>('');
  const [submitted, setSubmitted] = useState(false);

  const checked = contextOf(contextText, modelFixture);
  const goalError = submitted && !goal.trim() ? 'Say what the agents should achieve.' : undefined;
  const contextError = (submitted || contextText.trim()) && 'error' in checked ? checked.error : undefined;

  const start = useMutation({
    mutationFn: (context: Record<string, unknown>) =>
      client.sessions.start({
        goal: goal.trim(),
        context,
        constraints: {
          ...(typeof maxSteps === 'number' ? { maxSteps } : {}),
          ...(typeof maxCostUsd === 'number' ? { maxCostUsd } : {}),
        },
      }),
    onSuccess: ({ sessionId }) => {
      void queries.invalidateQueries({ queryKey: ['sessions'] });
      onClose();
      void navigate(`/sessions/${sessionId}`);
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!goal.trim() || 'error' in checked) return;
    start.mutate(checked.context);
  };

  return (
    <Modal opened={opened} onClose={onClose} closeButtonProps={{ 'aria-label': 'Close' }} title="New session" size="lg" fullScreen={false}>
      {/* Mantine's error red (shade 6) is 3.3:1 on white: one shade darker here, until the theme says so for every form. */}
      <form onSubmit={submit} noValidate style={{ '--mantine-color-error': 'var(--mantine-color-red-8)' } as CSSProperties}>
        <Stack gap="md">
          <Textarea label="Goal" description="What the agents should achieve." required autosize minRows={2} maxRows={8} maxLength={20_000} value={goal} onChange={(event) => setGoal(event.currentTarget.value)} error={goalError} data-autofocus />
          <Select label="Model fixture" description="For the demo: a scripted model run instead of a real model." data={modelFixtures} value={modelFixture} onChange={(value) => setModelFixture(value ?? '')} allowDeselect={false} />
          <JsonInput label="Context" description="Facts for the agents, as a JSON object (optional)." placeholder='{"customerId": "42"}' autosize minRows={3} maxRows={12} value={contextText} onChange={setContextText} error={contextError} formatOnBlur />
          <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="md">
            <NumberInput label="Max steps" description="Optional budget." min={1} max={1000} allowDecimal={false} value={maxSteps} onChange={setMaxSteps} />
            <NumberInput label="Max cost (USD)" description="Optional budget." min={0} decimalScale={4} prefix="$" value={maxCostUsd} onChange={setMaxCostUsd} />
          </SimpleGrid>
          {start.isError && (
            <Alert color="red" title="The session was not started" role="alert">
              {explain(start.error)}
            </Alert>
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={start.isPending}>
              Start session
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

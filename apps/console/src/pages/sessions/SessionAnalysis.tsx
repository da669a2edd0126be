import { Alert, Button, Group, List, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Answer } from '@agent-orchestrator/client';
import { useClient } from '../../auth/credentials';
import { explain } from '../../shell/explain';
import failureText from './failure-text.module.css';
import { formatCost, formatTokens, sessionStatusColors, sessionStatusLabels, type SessionStatus } from './format';
import { ToneBadge } from './StatusBadge';

type Analysis = Answer<'/v1/sessions/{sessionId}/analysis', 'get'>['items'][number];

/** How often the page looks again while an analysis it asked for, or one it shows, is under way. */
const progressPollMs = 1000;

/**
 * "Analyze with an LLM": asks the Analyst agent to read the session's redacted trace, shows
 * progress until its findings (or why there are none) are in the log, then the latest findings.
 * Asking spends model tokens, so only those who may start sessions see the button.
 */
export function SessionAnalysis({ sessionId, mayAnalyze }: { sessionId: string; mayAnalyze: boolean }) {
  const client = useClient();
  const [requested, setRequested] = useState<string | undefined>(undefined);
  const settled = (items: readonly Analysis[] | undefined) => requested === undefined || items?.some((item) => item.analysisId === requested && item.status !== 'running') === true;
  const analyses = useQuery({
    queryKey: ['session', sessionId, 'analysis'],
    queryFn: async () => (await client.raw.GET('/v1/sessions/{sessionId}/analysis', { params: { path: { sessionId } } })).data!.items,
    refetchInterval: (query) => (!settled(query.state.data) || query.state.data?.some((item) => item.status === 'running') ? progressPollMs : false),
  });
  const analyze = useMutation({
    mutationFn: async () => (await client.raw.POST('/v1/sessions/{sessionId}/analysis', { params: { path: { sessionId } }, body: {} })).data!.analysisId,
    onSuccess: (analysisId) => {
      setRequested(analysisId);
      void analyses.refetch();
    },
  });
  const items = analyses.data ?? [];
  const running = !settled(analyses.data) || items.some((item) => item.status === 'running');
  const [latest, ...earlier] = items;

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="session-analysis-title" data-testid="session-analysis">
      <Group justify="space-between" align="center" gap="sm" mb="sm">
        <Title order={2} size="h4" id="session-analysis-title">
          Analysis
        </Title>
        {mayAnalyze && (
          <Button onClick={() => analyze.mutate()} loading={analyze.isPending} disabled={running}>
            Analyze with an LLM
          </Button>
        )}
      </Group>
      <div aria-live="polite">
        {running && (
          <Group gap="xs" role="status" data-testid="analysis-progress">
            <Loader size="sm" aria-hidden />
            <Text size="sm">The Analyst is reading this session’s trace…</Text>
          </Group>
        )}
      </div>
      {analyze.isError && (
        <Alert color="red" role="alert" title="The analysis was not started" mt="sm">
          {explain(analyze.error)}
        </Alert>
      )}
      {analyses.isError && (
        <Alert color="orange" title="The analyses could not be loaded" mt="sm">
          {explain(analyses.error)}
        </Alert>
      )}
      {latest === undefined && !running && !analyses.isPending && (
        <Text size="sm" c="dimmed">
          No analysis yet. The Analyst reads the session’s log, with personal data redacted, and says what happened, where time and money went, why it failed and what to change.
        </Text>
      )}
      {latest !== undefined && latest.status !== 'running' && <AnalysisFindings analysis={latest} />}
      {earlier.length > 0 && (
        <Text size="xs" c="dimmed" mt="sm">
          {earlier.length === 1 ? 'An earlier analysis of this session is' : `${earlier.length} earlier analyses of this session are`} kept in its log.
        </Text>
      )}
    </Paper>
  );
}

function AnalysisFindings({ analysis }: { analysis: Analysis }) {
  const { findings, usage, input } = analysis;
  const spent = usage ? `${analysis.model}: ${formatTokens(usage.inputTokens, usage.outputTokens)} tokens, ${formatCost(usage.costUsd)}` : analysis.model;
  const covered = input.summarised ? `${input.shown} of ${input.events} events shown, the rest summarised` : `${input.events} events`;
  if (analysis.status === 'refused') {
    return (
      <Alert color="orange" title={`A budget refused the analysis${analysis.budgetId ? ` (${analysis.budgetId})` : ''}`} data-testid="analysis-refused">
        <Text size="sm">{analysis.reason}</Text>
        <Text size="xs" mt="xs">
          No model call was made.
        </Text>
      </Alert>
    );
  }
  if (findings === null) {
    return (
      <Alert color="red" title="The analysis failed" data-testid="analysis-failed">
        <Text size="sm">{analysis.reason}</Text>
        <Text size="xs" mt="xs">{spent}</Text>
      </Alert>
    );
  }
  return (
    <Stack gap="sm" data-testid="analysis-findings" style={{ overflowWrap: 'anywhere' }}>
      <Group gap="xs">
        <ToneBadge color={findings.outcome in sessionStatusColors ? sessionStatusColors[findings.outcome as SessionStatus] : 'gray'}>
          {findings.outcome in sessionStatusLabels ? sessionStatusLabels[findings.outcome as SessionStatus] : findings.outcome}
        </ToneBadge>
        <Text size="xs" c="dimmed">
          {spent} · {covered}
        </Text>
      </Group>
      <Finding title="What happened">
        <Text size="sm">{findings.whatHappened}</Text>
      </Finding>
      <Finding title="Where time and money went">
        <Text size="sm">{findings.timeAndMoney.summary}</Text>
        {findings.timeAndMoney.hotspots.length > 0 && (
          <List size="sm" mt={4}>
            {findings.timeAndMoney.hotspots.map((hotspot) => (
              <List.Item key={hotspot.what}>
                {hotspot.what}
                {hotspot.durationMs !== null && ` · ${(hotspot.durationMs / 1000).toFixed(1)} s`}
                {hotspot.tokens !== null && ` · ${hotspot.tokens} tokens`}
                {hotspot.costUsd !== null && ` · ${formatCost(hotspot.costUsd)}`}
              </List.Item>
            ))}
          </List>
        )}
      </Finding>
      {findings.failure && (
        <Finding title="Why it failed">
          <Text size="sm" className={failureText.failure} data-testid="analysis-cause">
            {findings.failure.cause}
          </Text>
          {findings.failure.evidence.length > 0 && (
            <List size="sm" mt={4}>
              {findings.failure.evidence.map((line) => (
                <List.Item key={line}>{line}</List.Item>
              ))}
            </List>
          )}
        </Finding>
      )}
      <Finding title="What to change">
        <List size="sm">
          {findings.recommendations.map((line) => (
            <List.Item key={line}>{line}</List.Item>
          ))}
        </List>
      </Finding>
    </Stack>
  );
}

function Finding({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div>
      <Title order={3} size="h6" mb={2}>
        {title}
      </Title>
      {children}
    </div>
  );
}

import { Anchor, Badge, Card, Group, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Link } from 'react-router';
import { usePlatformAdmin, useRoles } from '../../auth/caller';
import { PageTitle } from '../../shell/Shell';
import { ago } from '../projections/format';
import { Empty, Failed, Loading } from '../registries/Loading';
import { ScrollTable } from '../registries/ScrollTable';
import { ToneBadge } from '../sessions/StatusBadge';
import { causeLink, ruleLabels } from './format';
import { alertRoles, platformAlertPollMs, useAlerts, type AlertFilter, type AlertItem } from './queries';
import { useState } from 'react';
import { alertFallbackPollMs, useAlertsLiveState } from './live';

/** Critical reads as an alarm (filled red, with the word); a warning is orange; resolved is quiet. */
function SeverityBadge({ alert }: { alert: AlertItem }) {
  if (alert.status === 'resolved') return <ToneBadge color="green" data-severity="resolved">Resolved</ToneBadge>;
  if (alert.severity === 'critical') {
    return (
      <Badge color="red.9" variant="filled" data-severity="critical" leftSection={<span aria-hidden>⚠</span>} style={{ flex: 'none', minWidth: 'max-content' }}>
        Critical
      </Badge>
    );
  }
  return <ToneBadge color="orange" data-severity="warning">Warning</ToneBadge>;
}

function Cause({ alert }: { alert: AlertItem }) {
  const link = causeLink(alert);
  return link ? (
    <Anchor component={Link} to={link.to} size="sm" underline="always">
      {link.label}
    </Anchor>
  ) : null;
}

/** Whether alerts arrive as they happen, or (the socket lost) by a slow poll until it is back. */
function LiveStatus({ platform }: { platform: boolean }) {
  const live = useAlertsLiveState();
  if (platform) {
    return (
      <Text size="sm" mb="sm" role="status" data-testid="alerts-live" data-state="polling" c="dimmed">
        Checked every {platformAlertPollMs / 1000} s.
      </Text>
    );
  }
  return (
    <Text size="sm" mb="sm" role="status" data-testid="alerts-live" data-state={live} c={live === 'lost' ? 'orange.9' : 'dimmed'}>
      {live === 'live' ? 'Live: alerts show as they are raised and resolved.' : live === 'lost' ? `Connection lost: reconnecting, and checking every ${alertFallbackPollMs / 1000} s meanwhile.` : 'Connecting…'}
    </Text>
  );
}

const when = (alert: AlertItem) => (alert.resolvedAt ? `raised ${ago(alert.raisedAt)}, resolved ${ago(alert.resolvedAt)}` : `raised ${ago(alert.raisedAt)}`);

/** The tenant's alerts (the platform admin's: the platform's own): open ones first by default, each with where to act on its cause. */
export function AlertsPage() {
  const [filter, setFilter] = useState<AlertFilter>('open');
  const roles = useRoles();
  const platform = usePlatformAdmin() === true;
  const alerts = useAlerts(filter);
  const wide = useMediaQuery('(min-width: 48em)', true, { getInitialValueInEffect: false });
  if (!platform && roles && !roles.some((role) => alertRoles.includes(role))) {
    return (
      <>
        <PageTitle>Alerts</PageTitle>
        <Empty title="Not for your roles">Alerts are shown to operators and admins.</Empty>
      </>
    );
  }
  const items = alerts.data ?? [];
  return (
    <>
      <PageTitle>Alerts</PageTitle>
      <Text c="dimmed" size="sm" mb="md" maw={760}>
        {platform
          ? "The platform's own alerts, no tenant's: a projection stalled, or dead letters of no tenant arriving. Each is resolved on its own once its cause clears; PUT /v1/platform/alert-webhooks has them POSTed, signed, to the operators' webhook."
          : 'Raised when approvals wait past their SLA, dead letters keep arriving or a budget reaches 50, 80 or 100 %; each is resolved on its own once its cause clears. An admin can have them POSTed, signed, to a webhook.'}
      </Text>
      <LiveStatus platform={platform} />
      <SegmentedControl
        mb="md"
        aria-label="Which alerts"
        value={filter}
        onChange={(value) => setFilter(value as AlertFilter)}
        data={[
          { value: 'open', label: 'Open' },
          { value: 'resolved', label: 'Resolved' },
          { value: 'all', label: 'All' },
        ]}
      />
      {alerts.isPending ? (
        <Loading what="the alerts" />
      ) : alerts.isError ? (
        <Failed what="the alerts" error={alerts.error} retry={() => void alerts.refetch()} />
      ) : items.length === 0 ? (
        <Empty title={filter === 'open' ? 'No open alerts' : 'No alerts'}>{filter === 'open' ? 'Nothing needs attention now.' : 'None has been raised yet.'}</Empty>
      ) : wide ? (
        <ScrollTable label="Alerts" minWidth={760}>
          <Table verticalSpacing="sm" fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Severity</Table.Th>
                <Table.Th scope="col">Rule</Table.Th>
                <Table.Th scope="col">What happened</Table.Th>
                <Table.Th scope="col">When</Table.Th>
                <Table.Th scope="col">Act on it</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((alert) => (
                <Table.Tr key={alert.alertId} data-alert={alert.key}>
                  <Table.Td><SeverityBadge alert={alert} /></Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{ruleLabels[alert.rule] ?? alert.rule}</Table.Td>
                  <Table.Td>{alert.summary}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{when(alert)}</Table.Td>
                  <Table.Td><Cause alert={alert} /></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      ) : (
        <Stack gap="sm" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Alerts">
          {items.map((alert) => (
            <Card key={alert.alertId} withBorder padding="sm" component="li" data-alert={alert.key}>
              <Group justify="space-between" wrap="nowrap" gap="xs">
                <Text fw={600}>{ruleLabels[alert.rule] ?? alert.rule}</Text>
                <SeverityBadge alert={alert} />
              </Group>
              <Text size="sm" mt={4}>{alert.summary}</Text>
              <Text size="xs" c="dimmed" mt={4}>{when(alert)}</Text>
              <Cause alert={alert} />
            </Card>
          ))}
        </Stack>
      )}
    </>
  );
}

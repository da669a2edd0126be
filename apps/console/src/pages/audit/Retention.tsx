import { Alert, Button, Card, Group, NumberInput, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { explain } from '../../shell/explain';
import { Failed, Loading } from '../registries/Loading';
import { useAuditRetention, useSetRetention } from './queries';

/** How long bundles are kept; an admin may keep them longer (never under the legal minimum). */
export function Retention({ mayChange }: { mayChange: boolean }) {
  const [days, setDays] = useState<number | string>('');
  const [sent, setSent] = useState<number | undefined>();
  // The audit service records the change a moment after the 202: read it back until it shows.
  const retention = useAuditRetention(sent);
  const awaiting = sent !== undefined && retention.data?.days !== sent ? sent : undefined;
  const save = useSetRetention();
  const minimum = retention.data?.minimumDays ?? 180;

  const wanted = typeof days === 'number' ? days : undefined;
  const invalid = wanted !== undefined && (wanted < minimum || !Number.isInteger(wanted)) ? `At least ${minimum} days, in whole days.` : undefined;
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="audit-retention">
      <Title order={2} size="h4" id="audit-retention" mb={4}>Retention</Title>
      {retention.isPending ? (
        <Loading what="the retention" />
      ) : retention.isError ? (
        <Failed what="the retention" error={retention.error} retry={() => void retention.refetch()} />
      ) : (
        <Stack gap="sm">
          <Text size="sm">
            Bundles are kept <b data-testid="retention-days">{retention.data.days} days</b>
            {retention.data.setAt ? ` (set ${new Date(retention.data.setAt).toLocaleDateString()})` : ' (the default)'}, then deleted. The law asks for at least {minimum} (six months, EU AI Act art. 19).
          </Text>
          {mayChange && (
            <form
              onSubmit={(event) => {
                event.preventDefault();
                if (wanted === undefined || invalid) return;
                save.mutate(wanted, { onSuccess: () => setSent(wanted) });
              }}
            >
              <Group align="flex-end" gap="sm" wrap="wrap">
                <NumberInput label="Keep bundles for (days)" min={minimum} max={36_500} step={30} allowDecimal={false} value={days} onChange={setDays} placeholder={String(retention.data.days)} error={invalid} w={200} />
                <Button type="submit" variant="light" loading={save.isPending || awaiting !== undefined} disabled={wanted === undefined || invalid !== undefined}>
                  Save
                </Button>
              </Group>
            </form>
          )}
          {awaiting !== undefined && <Text size="sm" c="dimmed" role="status">Recording {awaiting} days…</Text>}
          {save.isError && (
            <Alert color="red" role="alert" title="Retention was not changed">
              {explain(save.error)}
            </Alert>
          )}
        </Stack>
      )}
    </Card>
  );
}

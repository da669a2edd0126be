import { Stack, Text } from '@mantine/core';
import { usePlatformAdmin, useRoles } from '../../auth/caller';
import { PageTitle } from '../../shell/Shell';
import { Empty, Loading } from '../registries/Loading';
import { DashboardPanel } from './DashboardPanel';
import { UsageTable } from './UsageTable';

/** The roles the gateway shows usage to (GET /v1/usage, /v1/dashboard). */
export const usageRoles: readonly string[] = ['admin', 'operator', 'auditor'];

/** Usage & cost: the dashboard over the last two weeks, and usage grouped as the reader chooses. */
export function UsagePage() {
  const roles = useRoles();
  const platform = usePlatformAdmin() === true;
  if (!roles && !platform) return <Loading what="your roles" />;
  if (!platform && !roles!.some((role) => usageRoles.includes(role))) {
    return (
      <>
        <PageTitle>Usage &amp; cost</PageTitle>
        <Empty title="Usage is for admins, operators and auditors">Ask an admin for a key or a sign-in with one of those roles.</Empty>
      </>
    );
  }
  return (
    <>
      <PageTitle>Usage &amp; cost</PageTitle>
      <Text c="dimmed" size="sm" mb="md" maw={760}>
        {platform ? 'Every tenant\'s' : 'Every'} model call&apos;s tokens and cost, priced by the model prices in effect when the call was made. A corrected price reprices the calls it covers.
      </Text>
      <Stack gap="xl">
        <DashboardPanel days={14} />
        <UsageTable everyTenant={platform} />
      </Stack>
    </>
  );
}

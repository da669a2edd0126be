import { SimpleGrid, Stack } from '@mantine/core';
import { PageTitle } from '../../shell/Shell';
import { PendingApprovals } from './PendingApprovals';
import { RecentFailures } from './RecentFailures';
import { SessionCounts } from './SessionCounts';

/** The tenant at a glance: where its sessions stand, what waits for a person, and what went wrong lately. */
export function OverviewPage() {
  return (
    <>
      <PageTitle>Overview</PageTitle>
      <Stack gap="lg">
        <SessionCounts />
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
          <PendingApprovals />
          <RecentFailures />
        </SimpleGrid>
      </Stack>
    </>
  );
}

import { Title } from '@mantine/core';

export function ApprovalsPage() {
  return <Title order={1}>Approvals</Title>;
}

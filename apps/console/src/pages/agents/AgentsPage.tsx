import { Title } from '@mantine/core';

export function AgentsPage() {
  return <Title order={1}>Agents</Title>;
}

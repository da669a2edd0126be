import { Title } from '@mantine/core';

export function SessionsPage() {
  return <Title order={1}>Sessions</Title>;
}

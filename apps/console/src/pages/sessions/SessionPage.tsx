import { Title } from '@mantine/core';

export function SessionPage() {
  return <Title order={1}>Session</Title>;
}

import { Title } from '@mantine/core';

export function PoliciesPage() {
  return <Title order={1}>Policies</Title>;
}

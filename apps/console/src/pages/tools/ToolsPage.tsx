import { Title } from '@mantine/core';

export function ToolsPage() {
  return <Title order={1}>Tools</Title>;
}

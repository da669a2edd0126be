import { Alert, Code, Text } from '@mantine/core';
import { readableAlert } from '../approvals/alert-styles';

/** What a page shows when the gateway does not serve the route it reads: which, and what brings it. */
export function MissingRoute({ route, what }: { route: string; what: string }) {
  return (
    <Alert color="gray" title={`This platform does not offer ${what} yet`} styles={readableAlert}>
      <Text size="sm">
        The gateway has no <Code>{route}</Code> route: it comes with the replay service. Once the platform runs it, this page fills in by itself.
      </Text>
    </Alert>
  );
}

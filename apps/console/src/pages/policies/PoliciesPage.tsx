import { Button, Group, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { PageTitle } from '../../shell/Shell';
import { Failed, Loading } from '../registries/Loading';
import { useMayManageRegistries } from '../registries/permissions';
import { PolicyEditorModal } from './PolicyEditorModal';
import { PolicyHistory } from './PolicyHistory';
import { PolicyView } from './PolicyView';
import { usePolicy } from './queries';

/** The tenant's tool policy: what is in effect, how it came to be (versions and their differences), and, for admins, a new version. */
export function PoliciesPage() {
  const policy = usePolicy();
  const mayManage = useMayManageRegistries();
  const [editing, { open, close }] = useDisclosure(false);
  return (
    <>
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <PageTitle>Policies</PageTitle>
        {mayManage && policy.data && <Button onClick={open}>Edit</Button>}
      </Group>
      <Text c="dimmed" size="sm" mb="md" maw={720}>
        Which tool calls your agents may make. Of the rules that match a call the strictest wins (deny, then require approval, then allow); when none matches, the default applies.
      </Text>
      {policy.isPending ? (
        <Loading what="the policy" />
      ) : policy.isError ? (
        <Failed what="the policy" error={policy.error} retry={() => void policy.refetch()} />
      ) : (
        <Stack gap="xl">
          <PolicyView policy={policy.data} />
          <PolicyHistory latest={policy.data.version} />
        </Stack>
      )}
      {mayManage && policy.data && <PolicyEditorModal opened={editing} onClose={close} policy={policy.data} />}
    </>
  );
}

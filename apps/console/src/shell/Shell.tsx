import { AppShell, Badge, Burger, Button, Group, NavLink, Text, Title, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { NavLink as RouterLink, useLocation } from 'react-router';
import { useCaller } from '../auth/caller';
import { useAuth } from '../auth/credentials';

const sections = [
  { to: '/', label: 'Overview' },
  { to: '/approvals', label: 'Approvals' },
  { to: '/sessions', label: 'Sessions' },
  { to: '/tools', label: 'Tools' },
  { to: '/agents', label: 'Agents' },
  { to: '/policies', label: 'Policies' },
] as const;

export function Shell({ children }: { children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure();
  const { signOut } = useAuth();
  const caller = useCaller();
  const { pathname } = useLocation();
  const active = (to: string) => (to === '/' ? pathname === '/' : pathname === to || pathname.startsWith(`${to}/`));
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={opened ? 'Close navigation' : 'Open navigation'} />
            <Text fw={700} component="span">Agent Orchestrator</Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            {caller && (
              <Group gap={6} wrap="nowrap" aria-label="Signed in as">
                <Text size="sm" visibleFrom="xs" component="span"><VisuallyHidden>Tenant </VisuallyHidden>{caller.tenantId}</Text>
                {caller.roles.map((role) => <Badge key={role} variant="light" size="sm">{role}</Badge>)}
              </Group>
            )}
            <Button variant="subtle" size="compact-sm" onClick={signOut}>Sign out</Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Sections">
        {sections.map((section) => (
          <NavLink key={section.to} component={RouterLink} to={section.to} label={section.label} active={active(section.to)} onClick={close} />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}

/** The page's one h1, so each view announces itself to a screen reader. */
export function PageTitle({ children }: { children: ReactNode }) {
  return <Title order={1} size="h2" mb="md">{children}</Title>;
}

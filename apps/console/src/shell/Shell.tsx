import { AppShell, Badge, Burger, Button, Group, NavLink, Text, Title, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { NavLink as RouterLink, useLocation } from 'react-router';
import { useCaller, usePlatformAdmin, useRoles } from '../auth/caller';
import { replayRoles } from '../pages/operations/access';
import { usageRoles } from '../pages/usage/UsagePage';
import { useAuth } from '../auth/credentials';
import { AlertIndicator } from '../pages/alerts/AlertIndicator';
import { alertRoles } from '../pages/alerts/queries';

/** `roles`: only for these (a link that can only answer 403 is no help); `platform`: the platform admin sees it too, and sees only these. */
const sections: readonly { to: string; label: string; roles?: readonly string[]; platform?: boolean }[] = [
  { to: '/', label: 'Overview' },
  { to: '/approvals', label: 'Approvals' },
  { to: '/sessions', label: 'Sessions' },
  { to: '/tools', label: 'Tools' },
  { to: '/agents', label: 'Agents' },
  { to: '/policies', label: 'Policies' },
  // Only for the roles the gateway opens it to: a link that can only answer 403 is no help.
  { to: '/audit', label: 'Audit', roles: ['admin', 'auditor'] },
  { to: '/alerts', label: 'Alerts', roles: alertRoles, platform: true },
  { to: '/budgets', label: 'Budgets', roles: ['admin', 'operator', 'auditor'] },
  { to: '/dead-letters', label: 'Dead letters', roles: replayRoles, platform: true },
  { to: '/operations', label: 'Operations', roles: replayRoles, platform: true },
  { to: '/projections', label: 'Projections', roles: replayRoles, platform: true },
  { to: '/usage', label: 'Usage & cost', roles: usageRoles, platform: true },
];

export function Shell({ children }: { children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure();
  const { signOut } = useAuth();
  const caller = useCaller();
  const platform = usePlatformAdmin();
  const roles = useRoles() ?? [];
  const { pathname } = useLocation();
  const active = (to: string) => (to === '/' ? pathname === '/' : pathname === to || pathname.startsWith(`${to}/`));
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={opened ? 'Close navigation' : 'Open navigation'} />
            {/* On a phone the tenant takes the product name's place: it is what tells one sign-in from another. */}
            <Text fw={700} component="span" visibleFrom="sm">Agent Orchestrator</Text>
          </Group>
          <Group gap="xs" wrap="nowrap" miw={0}>
            {(caller || platform) && <AlertIndicator />}
            {caller && <SignedInAs tenantId={caller.tenantId} roles={caller.roles} />}
            {platform && <SignedInAs tenantId="Every tenant" roles={roles} />}
            <Button variant="subtle" size="compact-sm" onClick={signOut} style={{ flexShrink: 0 }}>Sign out</Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Sections">
        {sections.filter((section) => (platform ? section.platform : !section.roles || roles.some((role) => section.roles!.includes(role)))).map((section) => (
          <NavLink key={section.to} component={RouterLink} to={section.to} label={section.label} active={active(section.to)} onClick={close} />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}

/** Tenant and roles; on a phone one role badge stands for all (each is still read out). */
function SignedInAs({ tenantId, roles }: { tenantId: string; roles: readonly string[] }) {
  const [first, ...others] = roles;
  return (
    <Group gap={6} wrap="nowrap" role="group" aria-label="Signed in as" miw={0}>
      <Text size="sm" component="span" truncate maw={{ base: 120, sm: 220 }} title={tenantId}><VisuallyHidden>Tenant </VisuallyHidden>{tenantId}</Text>
      <Group gap={4} wrap="nowrap" visibleFrom="sm">
        {roles.map((role) => <Badge key={role} variant="light" size="sm">{role}</Badge>)}
      </Group>
      {first && (
        <Group hiddenFrom="sm" gap={0}>
          <VisuallyHidden>Roles: {roles.join(', ')}</VisuallyHidden>
          <Badge variant="light" size="sm" aria-hidden>{first}{others.length > 0 ? ` +${others.length}` : ''}</Badge>
        </Group>
      )}
    </Group>
  );
}

/** The page's one h1, so each view announces itself to a screen reader. */
export function PageTitle({ children }: { children: ReactNode }) {
  return <Title order={1} size="h2" mb="md">{children}</Title>;
}

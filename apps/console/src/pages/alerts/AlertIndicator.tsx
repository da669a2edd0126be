import { Badge, VisuallyHidden } from '@mantine/core';
import { Link } from 'react-router';
import { openCount } from './format';
import { usePlatformAdmin, useRoles } from '../../auth/caller';
import { useFollowAlerts } from './live';
import { alertRoles, useOpenAlerts } from './queries';

/**
 * The shell's live indicator: how many alerts are open, kept current by the live alerts socket it
 * holds for the whole console (see useFollowAlerts), linking to the Alerts page; red when one is critical. Read out politely when the count changes, and
 * absent when none is open (or the roles may not read alerts).
 */
export function AlertIndicator() {
  const roles = useRoles() ?? [];
  const platform = usePlatformAdmin() === true;
  // The platform's alerts are polled (see platformAlertPollMs); a tenant's arrive over the socket.
  useFollowAlerts(!platform && roles.some((role) => alertRoles.includes(role)));
  const open = useOpenAlerts();
  const items = open.data ?? [];
  return (
    <span aria-live="polite" style={{ display: 'inline-flex', flexShrink: 0 }}>
      {items.length > 0 && (
        <Badge
          component={Link}
          to="/alerts"
          color={items.some((alert) => alert.severity === 'critical') ? 'red.9' : 'orange.9'}
          variant="filled"
          size="lg"
          leftSection={<span aria-hidden>⚠</span>}
          style={{ cursor: 'pointer', textTransform: 'none' }}
          data-testid="alert-indicator"
        >
          {items.length}
          <VisuallyHidden> {openCount(items.length).replace(/^\d+ /, '')}</VisuallyHidden>
        </Badge>
      )}
    </span>
  );
}

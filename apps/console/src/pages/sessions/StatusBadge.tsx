import { Badge, type BadgeProps } from '@mantine/core';
import type { CSSProperties, ReactNode } from 'react';
import { sessionStatusColors, sessionStatusLabels, type SessionStatus } from './format';

/**
 * A status badge tinted by its colour, its text in the page's text colour: Mantine's light badge
 * text (shade 9 on shade 1, small and bold) falls short of WCAG AA contrast. Never narrower than
 * its words: in a table squeezed for room, a status cut to "SUCCEED…" says nothing.
 */
export function ToneBadge({ color, children, ...props }: { color: string; children: ReactNode } & Omit<BadgeProps, 'color' | 'variant'> & Record<`data-${string}`, string | undefined>) {
  return (
    <Badge variant="light" color={color} {...props} style={{ '--badge-color': 'var(--mantine-color-text)', flex: 'none', minWidth: 'max-content', ...(props.style as CSSProperties) } as CSSProperties}>
      {children}
    </Badge>
  );
}

export function SessionStatusBadge({ status }: { status: string }) {
  const known = status in sessionStatusLabels ? (status as SessionStatus) : undefined;
  return (
    <ToneBadge color={known ? sessionStatusColors[known] : 'gray'} data-status={status}>
      {known ? sessionStatusLabels[known] : status}
    </ToneBadge>
  );
}

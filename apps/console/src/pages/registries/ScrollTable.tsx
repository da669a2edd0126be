import { Table } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * A table that scrolls inside its own box when the screen is narrower than it (a phone), never
 * the page. The box takes keyboard focus so it can be scrolled without a pointer, and is named.
 */
export function ScrollTable({ label, minWidth, maxHeight, children }: { label: string; minWidth: number; maxHeight?: number; children: ReactNode }) {
  return (
    <Table.ScrollContainer type="native" minWidth={minWidth} maxHeight={maxHeight} tabIndex={0} role="region" aria-label={label}>
      {children}
    </Table.ScrollContainer>
  );
}

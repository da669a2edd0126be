import { ActionIcon, Box, Group, Paper, Text, UnstyledButton } from '@mantine/core';
import { useState } from 'react';
import { ToneBadge } from './StatusBadge';
import { formatCost, formatDuration, formatTokens, nodeStatusColors, nodeStatusLabels } from './format';
import { walk, type NodeKind, type RunNode } from './session-tree';
import classes from './RunTree.module.css';

const kindLabels: Record<NodeKind, string> = {
  session: 'Session',
  plan: 'Plan',
  step: 'Step',
  model: 'Model',
  tool: 'Tool',
  policy: 'Policy',
  approval: 'Approval',
  review: 'Review',
  rework: 'Rework',
  budget: 'Budget',
};

/** Past this many nodes the tree opens collapsed below the top level, so a long run stays quick to read and to render. */
const openAllUpTo = 80;

interface Row {
  readonly node: RunNode;
  readonly depth: number;
  readonly open: boolean;
}

function visibleRows(tree: RunNode, isOpen: (node: RunNode, depth: number) => boolean): Row[] {
  const rows: Row[] = [];
  const visit = (node: RunNode, depth: number) => {
    const open = isOpen(node, depth);
    rows.push({ node, depth, open });
    if (open) for (const child of node.children) visit(child, depth + 1);
  };
  visit(tree, 0);
  return rows;
}

export function RunTree({ tree, selectedId, onSelect }: { tree: RunNode; selectedId: string; onSelect: (id: string) => void }) {
  const [toggled, setToggled] = useState<ReadonlySet<string>>(new Set());
  const total = [...walk(tree)].length;
  const isOpen = (node: RunNode, depth: number) => (depth === 0 || total <= openAllUpTo) !== toggled.has(node.id);
  const toggle = (id: string) =>
    setToggled((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const rows = visibleRows(tree, isOpen);
  return (
    <Paper withBorder p={0} component="section" aria-label="The run, step by step">
      <ul className={classes.tree}>
        {rows.map(({ node, depth, open }) => (
          <li key={node.id} className={classes.row} style={{ paddingInlineStart: `calc(${Math.min(depth, 6)} * var(--mantine-spacing-md))` }} data-node-kind={node.kind} data-session-node="">
            <Group gap={4} wrap="nowrap" align="flex-start">
              {node.children.length > 0 ? (
                <ActionIcon variant="subtle" color="gray" size="sm" mt={6} onClick={() => toggle(node.id)} aria-expanded={open} aria-label={`${open ? 'Collapse' : 'Expand'} ${node.title}`}>
                  <span aria-hidden style={{ display: 'inline-block', transform: open ? 'rotate(90deg)' : undefined, transition: 'transform 120ms' }}>
                    ▸
                  </span>
                </ActionIcon>
              ) : (
                <Box w={22} />
              )}
              <UnstyledButton className={classes.select} data-node={node.id} onClick={() => onSelect(node.id)} aria-current={node.id === selectedId ? 'true' : undefined} data-selected={node.id === selectedId || undefined}>
                <Group gap={6} wrap="wrap" justify="space-between">
                  <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
                    <Text size="xs" fw={700} c="dimmed" tt="uppercase" className={classes.kind}>
                      {kindLabels[node.kind]}
                    </Text>
                    <Text size="sm" fw={500} className={classes.title}>
                      {node.title}
                    </Text>
                  </Group>
                  <ToneBadge size="sm" color={nodeStatusColors[node.status]} data-status={node.status}>
                    {nodeStatusLabels[node.status]}
                  </ToneBadge>
                </Group>
                <Text size="xs" c="dimmed" className={classes.meta}>
                  {[node.subtitle, node.startedAt && formatDuration(node.startedAt, node.endedAt), node.inputTokens !== undefined && `${formatTokens(node.inputTokens, node.outputTokens)} tokens`, node.costUsd !== undefined && formatCost(node.costUsd)]
                    .filter(Boolean)
                    .join(' · ')}
                </Text>
              </UnstyledButton>
            </Group>
          </li>
        ))}
      </ul>
    </Paper>
  );
}

import '@xyflow/react/dist/style.css';
import { Background, ReactFlow, type Edge, type Node } from '@xyflow/react';
import { Paper, useComputedColorScheme } from '@mantine/core';
import { useMemo } from 'react';
import { nodeStatusColors } from './format';
import { stepColumns, type RunNode } from './session-tree';

const columnWidth = 240;
const rowHeight = 64;

/**
 * The plan at a glance: each step's latest attempt, in columns of what ran side by side, with an
 * arrow from each step to the ones waiting for it. Clicking a step selects it in the tree.
 */
export function StepOverview({ tree, selectedId, onSelect }: { tree: RunNode; selectedId: string; onSelect: (id: string) => void }) {
  const scheme = useComputedColorScheme('light');
  const { nodes, edges, height } = useMemo(() => {
    const columns = stepColumns(tree);
    const idOf = new Map(columns.flat().map((step) => [step.stepId, step.id]));
    const nodes: Node[] = columns.flatMap((column, x) =>
      column.map((step, y) => ({
        id: step.id,
        position: { x: x * columnWidth, y: y * rowHeight },
        data: { label: step.title },
        selected: step.id === selectedId,
        style: { width: columnWidth - 40, fontSize: 12, borderWidth: 2, borderColor: `var(--mantine-color-${nodeStatusColors[step.status]}-6)` },
        sourcePosition: 'right' as never,
        targetPosition: 'left' as never,
        ariaLabel: `Step ${step.title}: ${step.status}`,
      })),
    );
    const edges: Edge[] = columns.flat().flatMap((step) =>
      (step.dependsOn ?? []).filter((dependency) => idOf.has(dependency)).map((dependency) => ({ id: `${dependency}->${step.id}`, source: idOf.get(dependency)!, target: step.id })),
    );
    return { nodes, edges, height: Math.max(1, ...columns.map((column) => column.length)) * rowHeight + 40 };
  }, [tree, selectedId]);
  if (nodes.length === 0) return null;
  return (
    <Paper withBorder mb="md" h={Math.min(height, 320)} component="section" aria-label="Steps overview" style={{ overflow: 'hidden' }}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        colorMode={scheme}
        fitView
        fitViewOptions={{ maxZoom: 1 }}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable
        zoomOnScroll={false}
        preventScrolling={false}
        onNodeClick={(_, node) => onSelect(node.id)}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={16} />
      </ReactFlow>
    </Paper>
  );
}

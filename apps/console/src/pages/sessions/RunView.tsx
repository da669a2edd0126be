import { Box, Grid } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useRef, useState } from 'react';
import { NodeDetail } from './NodeDetail';
import { RunTree } from './RunTree';
import { findNode, type RunNode } from './session-tree';
import { StepOverview } from './StepOverview';

/**
 * The run: on a wide screen an overview of the steps (side by side where they ran in parallel),
 * the tree, and the selected node's detail beside it; on a phone the tree alone, a vertical
 * timeline, with the detail below it.
 */
export function RunView({ tree }: { tree: RunNode }) {
  const wide = useMediaQuery('(min-width: 62em)', true, { getInitialValueInEffect: false });
  const [selectedId, setSelectedId] = useState<string>(tree.id);
  const selected = findNode(tree, selectedId) ?? tree;
  const detail = useRef<HTMLDivElement>(null);
  const select = (id: string) => {
    setSelectedId(id);
    // On a phone the detail is below the tree: bring it into view.
    if (!wide) requestAnimationFrame(() => detail.current?.scrollIntoView({ behavior: 'smooth', block: 'start' }));
  };
  return (
    <>
      {wide && <StepOverview tree={tree} selectedId={selected.id} onSelect={select} />}
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <RunTree tree={tree} selectedId={selected.id} onSelect={select} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Box ref={detail} pos={wide ? 'sticky' : undefined} top={72}>
            <NodeDetail node={selected} />
          </Box>
        </Grid.Col>
      </Grid>
    </>
  );
}

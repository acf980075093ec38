/** Add a node of a type: at a given flow point (drop, double-click) or in a free slot at the view's centre. */
import { useStoreApi, type XYPosition } from '@xyflow/react';
import { useCallback } from 'react';

import { useEditorStoreApi } from './context';
import { isGroup } from './groups';
import { DEFAULT_NODE_SIZE, placeNewNode } from './placement';
import type { AppEdge, AppNode } from './types';

export function useAddNode() {
  const flow = useStoreApi<AppNode, AppEdge>();
  const store = useEditorStoreApi();
  return useCallback(
    (kind: string, at?: XYPosition): string => {
      const state = store.getState();
      if (at) {
        return state.addNode(kind, {
          x: Math.round(at.x - DEFAULT_NODE_SIZE.width / 2),
          y: Math.round(at.y - 24),
        });
      }
      const { width, height, transform } = flow.getState();
      const [x, y, zoom] = transform;
      const centre = { x: (width / 2 - x) / zoom, y: (height / 2 - y) / zoom };
      // Groups are backdrops: a new node may land inside one.
      const obstacles = state.nodes.filter((node) => !isGroup(node));
      return state.addNode(kind, placeNewNode(centre, obstacles));
    },
    [flow, store],
  );
}

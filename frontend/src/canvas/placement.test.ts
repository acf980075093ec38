import { describe, expect, it } from 'vitest';

import { DEFAULT_NODE_SIZE, placeNewNode } from './placement';
import type { AppNode } from './types';

const node = (id: string, x: number, y: number): AppNode => ({
  id,
  type: 'workflow',
  position: { x, y },
  data: { kind: 'data.text', params: {} },
});

describe('placeNewNode', () => {
  it('centres the first node on the view centre', () => {
    expect(placeNewNode({ x: 500, y: 300 }, [])).toEqual({
      x: 500 - DEFAULT_NODE_SIZE.width / 2,
      y: 300 - DEFAULT_NODE_SIZE.height / 2,
    });
  });

  it('steps to the right of a node already in the centre, then keeps clear of both', () => {
    const first = placeNewNode({ x: 0, y: 0 }, []);
    const second = placeNewNode({ x: 0, y: 0 }, [node('a', first.x, first.y)]);
    expect(second.y).toBe(first.y);
    expect(second.x).toBeGreaterThan(first.x + DEFAULT_NODE_SIZE.width);
    const third = placeNewNode({ x: 0, y: 0 }, [node('a', first.x, first.y), node('b', second.x, second.y)]);
    expect([first, second]).not.toContainEqual(third);
  });
});

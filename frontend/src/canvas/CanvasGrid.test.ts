import { describe, expect, it } from 'vitest';

import { GRID_GAP, gridPlacement } from './CanvasGrid';

/** Screen x of the dots the layer draws: tile centres, the layer starting 48 px left of the pane. */
const dotsAt = (dx: number, cell: number) => [0, 1, 2, 3].map((tile) => -48 + dx + cell / 2 + tile * cell);

describe('gridPlacement', () => {
  it.each([
    [0, 1],
    [37, 1],
    [-253.5, 1],
    [91, 0.35],
    [-12, 2],
  ])('puts dots on the flow grid points for x=%s at zoom %s', (x, zoom) => {
    const { cell, dx, dy } = gridPlacement([x, x, zoom]);
    expect(cell).toBeCloseTo(GRID_GAP * zoom);
    expect(dx).toBeGreaterThanOrEqual(0);
    expect(dx).toBeLessThan(cell);
    expect(dy).toBe(dx);
    for (const screen of dotsAt(dx, cell)) {
      const flow = (screen - x) / zoom;
      expect(Math.abs(flow / GRID_GAP - Math.round(flow / GRID_GAP))).toBeLessThan(1e-9);
    }
  });

  it('keeps a visible dot when zoomed far out', () => {
    expect(gridPlacement([0, 0, 0.1]).radius).toBe(0.5);
  });
});

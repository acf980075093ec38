/**
 * The dotted canvas background, drawn so that panning is cheap. React Flow's `<Background>`
 * re-renders an SVG pattern on every viewport change, which repaints the whole pane each
 * frame (costly without a GPU). Here the dots are a CSS background on a layer of their
 * own (`will-change: transform`), a little larger than the pane: panning only translates
 * that layer by the pan modulo one grid cell, which the compositor does without
 * repainting. Only a zoom change redraws the dots. No React render per frame either: the
 * layer follows React Flow's store directly.
 */
import { useStoreApi, type Transform } from '@xyflow/react';
import { memo, useEffect, useRef } from 'react';

import classes from './canvas.module.css';

export const GRID_GAP = 20;
const DOT_RADIUS = 0.7;
/** How far the layer reaches past the pane's top-left corner (≥ one cell at max zoom). */
const BLEED = 48;

const positiveModulo = (value: number, modulus: number) => ((value % modulus) + modulus) % modulus;

/** The layer's size and offset for a viewport: dots sit on the flow's grid points. */
export function gridPlacement([x, y, zoom]: Transform, gap = GRID_GAP) {
  const cell = gap * zoom;
  // A dot sits at the centre of each background tile; the layer starts BLEED px up-left.
  const shift = (origin: number) => positiveModulo(origin + BLEED - cell / 2, cell);
  return { cell, dx: shift(x), dy: shift(y), radius: Math.max(0.5, DOT_RADIUS * zoom) };
}

function CanvasGridView() {
  const layer = useRef<HTMLDivElement>(null);
  const flow = useStoreApi();

  useEffect(() => {
    let zoom = Number.NaN;
    const place = (transform: Transform) => {
      const element = layer.current;
      if (!element) return;
      const { cell, dx, dy, radius } = gridPlacement(transform);
      if (transform[2] !== zoom) {
        zoom = transform[2];
        element.style.backgroundSize = `${cell}px ${cell}px`;
        element.style.setProperty('--grid-dot', `${radius}px`);
      }
      // Whole pixels: the compositor then copies the layer instead of resampling it.
      element.style.transform = `translate3d(${Math.round(dx)}px, ${Math.round(dy)}px, 0)`;
    };
    place(flow.getState().transform);
    return flow.subscribe((state, previous) => {
      if (state.transform !== previous.transform) place(state.transform);
    });
  }, [flow]);

  return <div ref={layer} className={classes.grid} style={{ inset: -BLEED }} aria-hidden />;
}

export const CanvasGrid = memo(CanvasGridView);

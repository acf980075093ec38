/** Sticky notes: a canvas-only node type (`ui.note`) the engine ignores; Markdown text. */
import type { NodeTypeSpec } from './catalogue';
import { NOTE_TYPE } from './types';

export const NOTE_SPEC: NodeTypeSpec = {
  type: NOTE_TYPE,
  title: 'Sticky note',
  category: 'Notes',
  description: 'A Markdown note on the canvas; never run.',
  paramsSchema: {
    type: 'object',
    properties: {
      text: {
        type: 'string',
        title: 'Text',
        format: 'textarea',
        description:
          'Markdown: # headings, **bold**, *italic*, [links](https://…), lists, ``` code blocks, tables.',
      },
    },
  },
  inputs: [],
  outputs: [],
  dynamicInputsFrom: null,
  dynamicOutputsFrom: null,
};

/** Tiny run events for tests, typed by the generated union. */
import type { EventOf, RunEvent, RunEventType } from './types';

export const RUN = 'a'.repeat(32);
const TS = '2025-01-01T00:00:00Z';

export function event<T extends RunEventType>(
  type: T,
  seq: number,
  fields: Omit<EventOf<T>, 'type' | 'seq' | 'run_id' | 'ts'> & { ts?: string },
): EventOf<T> {
  return { run_id: RUN, ts: TS, ...fields, type, seq } as unknown as EventOf<T>;
}

/** A whole successful run of `q → tpl`. */
export function happyRun(): RunEvent[] {
  return [
    event('run.queued', 0, { data: {} }),
    event('run.started', 1, { data: { node_ids: ['q', 'tpl'] } }),
    event('node.started', 2, { node_id: 'q', data: { node_type: 'io.input' } }),
    event('node.succeeded', 3, { node_id: 'q', data: { duration_ms: 1, outputs: { value: 'Ada' } } }),
    event('node.started', 4, { node_id: 'tpl', data: { node_type: 'prompt.template' } }),
    event('node.succeeded', 5, {
      node_id: 'tpl',
      data: { duration_ms: 2, outputs: { prompt: 'Hello, Ada!' } },
    }),
    event('run.succeeded', 6, { data: { duration_ms: 5, outputs: { greeting: 'Hello, Ada!' } } }),
  ];
}

import { applyEvent, handlers } from './handlers';
import { emptyPicture, type RunPicture } from './picture';
import { event, happyRun, RUN } from './events.fixture';

const start = (): RunPicture => emptyPicture(RUN);
const withNodes = (...ids: string[]) =>
  handlers['run.started'](start(), event('run.started', 1, { data: { node_ids: ids } }));

describe('run.queued', () => {
  it('marks the run queued and remembers when', () => {
    const next = handlers['run.queued'](
      start(),
      event('run.queued', 0, { data: {}, ts: '2025-01-01T00:00:01Z' }),
    );
    expect(next.status).toBe('queued');
    expect(next.queuedAt).toBe('2025-01-01T00:00:01Z');
  });
});

describe('run.started', () => {
  it('marks the run running and queues every node', () => {
    const next = withNodes('q', 'tpl');
    expect(next.status).toBe('running');
    expect(next.nodes).toEqual({
      q: { status: 'queued', tokens: '' },
      tpl: { status: 'queued', tokens: '' },
    });
  });
});

describe('node.started', () => {
  it('marks the node running and clears a previous attempt', () => {
    const failed = handlers['node.failed'](
      withNodes('q'),
      event('node.failed', 2, { node_id: 'q', data: { duration_ms: 3, error: { type: 'E', message: 'x' } } }),
    );
    const next = handlers['node.started'](
      failed,
      event('node.started', 3, { node_id: 'q', data: { node_type: 'io.input', attempt: 2 } }),
    );
    expect(next.nodes.q).toMatchObject({ status: 'running', attempt: 2, tokens: '' });
    expect(next.nodes.q?.error).toBeUndefined();
  });
});

describe('node.token', () => {
  it('appends streamed text', () => {
    let picture = withNodes('llm');
    picture = handlers['node.token'](
      picture,
      event('node.token', 2, { node_id: 'llm', data: { text: 'Hel' } }),
    );
    picture = handlers['node.token'](
      picture,
      event('node.token', 3, { node_id: 'llm', data: { text: 'lo' } }),
    );
    expect(picture.nodes.llm?.tokens).toBe('Hello');
  });

  it('keeps only the tail of a long stream', () => {
    const long = 'x'.repeat(5000);
    const next = handlers['node.token'](
      withNodes('llm'),
      event('node.token', 2, { node_id: 'llm', data: { text: long } }),
    );
    expect(next.nodes.llm?.tokens.length).toBe(4000);
  });
});

describe('node.succeeded', () => {
  it('records the duration, output preview and usage', () => {
    const next = handlers['node.succeeded'](
      withNodes('tpl'),
      event('node.succeeded', 2, {
        node_id: 'tpl',
        data: { duration_ms: 12, outputs: { prompt: 'Hi' }, usage: { total_tokens: 3 } },
      }),
    );
    expect(next.nodes.tpl).toMatchObject({
      status: 'succeeded',
      durationMs: 12,
      outputs: { prompt: 'Hi' },
      usage: { total_tokens: 3 },
    });
  });

  it('leaves the other nodes as they were', () => {
    const before = withNodes('q', 'tpl');
    const next = handlers['node.succeeded'](
      before,
      event('node.succeeded', 2, { node_id: 'tpl', data: { duration_ms: 1, outputs: {} } }),
    );
    expect(next.nodes.q).toBe(before.nodes.q);
  });
});

describe('node.failed', () => {
  it('records the error on the node', () => {
    const next = handlers['node.failed'](
      withNodes('llm'),
      event('node.failed', 2, {
        node_id: 'llm',
        data: { duration_ms: 4, error: { type: 'ModelError', message: 'model not loaded' } },
      }),
    );
    expect(next.nodes.llm).toMatchObject({
      status: 'failed',
      durationMs: 4,
      error: { type: 'ModelError', message: 'model not loaded' },
    });
  });
});

describe('node.skipped', () => {
  it('records why', () => {
    const next = handlers['node.skipped'](
      withNodes('b'),
      event('node.skipped', 2, { node_id: 'b', data: { reason: 'route not taken' } }),
    );
    expect(next.nodes.b).toMatchObject({ status: 'skipped', reason: 'route not taken' });
  });
});

describe('node.cached', () => {
  it('records the cached outputs', () => {
    const next = handlers['node.cached'](
      withNodes('e'),
      event('node.cached', 2, { node_id: 'e', data: { outputs: { embeddings: '[…]' } } }),
    );
    expect(next.nodes.e).toMatchObject({ status: 'cached', outputs: { embeddings: '[…]' } });
  });
});

describe('run.succeeded', () => {
  it('finishes the run with its outputs and duration', () => {
    const next = handlers['run.succeeded'](
      withNodes('q'),
      event('run.succeeded', 9, { data: { duration_ms: 42, outputs: { greeting: 'Hello' } } }),
    );
    expect(next).toMatchObject({ status: 'succeeded', durationMs: 42, outputs: { greeting: 'Hello' } });
    expect(next.finishedAt).toBeDefined();
  });
});

describe('run.failed', () => {
  it('records the error and the failing node, and stops running nodes', () => {
    const running = handlers['node.started'](
      withNodes('a', 'b'),
      event('node.started', 2, { node_id: 'b', data: { node_type: 'model.chat' } }),
    );
    const next = handlers['run.failed'](
      running,
      event('run.failed', 3, {
        data: {
          duration_ms: 9,
          error: { type: 'NodeFailed', message: 'boom' },
          node_id: 'a',
          interrupted: [],
        },
      }),
    );
    expect(next).toMatchObject({ status: 'failed', errorNodeId: 'a', error: { message: 'boom' } });
    expect(next.nodes.b?.status).toBe('interrupted');
    expect(next.nodes.a?.status).toBe('queued');
  });
});

describe('run.cancelled', () => {
  it('marks the interrupted nodes', () => {
    const next = handlers['run.cancelled'](
      withNodes('a', 'b'),
      event('run.cancelled', 3, { data: { duration_ms: 7, interrupted: ['a'] } }),
    );
    expect(next.status).toBe('cancelled');
    expect(next.nodes.a?.status).toBe('interrupted');
    expect(next.nodes.b?.status).toBe('queued');
  });
});

describe('applyEvent', () => {
  it('builds the whole picture from a run’s events', () => {
    const picture = happyRun().reduce(applyEvent, start());
    expect(picture.status).toBe('succeeded');
    expect(picture.lastSeq).toBe(6);
    expect(picture.nodes.tpl?.outputs).toEqual({ prompt: 'Hello, Ada!' });
  });

  it('drops duplicates and older events by seq', () => {
    const events = happyRun();
    const once = events.reduce(applyEvent, start());
    const twice = [...events, ...events].reduce(applyEvent, start());
    expect(twice).toEqual(once);
    expect(applyEvent(once, events[3]!)).toBe(once);
  });

  it('ignores another run’s events', () => {
    const other = { ...happyRun()[0]!, run_id: 'b'.repeat(32) };
    expect(applyEvent(start(), other)).toEqual(start());
  });

  it('skips an unknown event type without throwing', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const unknown = { ...happyRun()[0]!, type: 'node.teleported' } as never;
    const next = applyEvent(start(), unknown);
    expect(next.lastSeq).toBe(0);
    expect(warn).toHaveBeenCalled();
  });
});

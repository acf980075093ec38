import { event, happyRun, RUN } from './events.fixture';
import { createRunStore, selectEdgeRun, type FrameScheduler } from './store';

/** A hand-cranked animation frame: `tick()` runs what was requested. */
function manualFrames() {
  let callbacks = new Map<number, () => void>();
  let next = 1;
  const frames: FrameScheduler = {
    request: vi.fn((callback: () => void) => {
      callbacks.set(next, callback);
      return next++;
    }),
    cancel: vi.fn((handle: number) => void callbacks.delete(handle)),
  };
  const tick = () => {
    const due = callbacks;
    callbacks = new Map();
    due.forEach((callback) => callback());
  };
  return { frames, tick, pending: () => callbacks.size };
}

describe('createRunStore', () => {
  it('applies a burst of events in one update on the next frame', () => {
    const { frames, tick } = manualFrames();
    const store = createRunStore(frames);
    store.getState().show(RUN);
    const listener = vi.fn();
    store.subscribe(listener);

    for (const item of happyRun()) store.getState().receive(item);
    expect(frames.request).toHaveBeenCalledTimes(1);
    expect(listener).not.toHaveBeenCalled();
    expect(store.getState().picture?.lastSeq).toBe(-1);

    tick();
    expect(listener).toHaveBeenCalledTimes(1);
    expect(store.getState().picture?.status).toBe('succeeded');
  });

  it('repaints at most once per frame however many tokens arrive', () => {
    const { frames, tick } = manualFrames();
    const store = createRunStore(frames);
    store.getState().show(RUN);
    const listener = vi.fn();
    store.subscribe(listener);
    let seq = 0;
    for (let frame = 0; frame < 3; frame += 1) {
      for (let token = 0; token < 50; token += 1) {
        seq += 1;
        store.getState().receive(event('node.token', seq, { node_id: 'llm', data: { text: 'x' } }));
      }
      tick();
    }
    expect(listener).toHaveBeenCalledTimes(3);
    expect(frames.request).toHaveBeenCalledTimes(3);
    expect(store.getState().picture?.nodes.llm?.tokens).toBe('x'.repeat(150));
  });

  it('works with the browser’s requestAnimationFrame (faked timers)', () => {
    vi.useFakeTimers({ toFake: ['requestAnimationFrame', 'cancelAnimationFrame'] });
    try {
      const store = createRunStore();
      store.getState().show(RUN);
      happyRun().forEach((item) => store.getState().receive(item));
      expect(store.getState().picture?.status).toBe('queued');
      vi.advanceTimersToNextFrame();
      expect(store.getState().picture?.status).toBe('succeeded');
    } finally {
      vi.useRealTimers();
    }
  });

  it('drops queued events when another run is shown', () => {
    const { frames, tick, pending } = manualFrames();
    const store = createRunStore(frames);
    store.getState().show(RUN);
    store.getState().receive(happyRun()[0]!);
    store.getState().show('b'.repeat(32));
    expect(pending()).toBe(0);
    tick();
    expect(store.getState().picture).toMatchObject({ runId: 'b'.repeat(32), lastSeq: -1 });
  });

  it('does not update when a frame brings only duplicates', () => {
    const { frames, tick } = manualFrames();
    const store = createRunStore(frames);
    store.getState().show(RUN);
    happyRun().forEach((item) => store.getState().receive(item));
    tick();
    const listener = vi.fn();
    store.subscribe(listener);
    happyRun().forEach((item) => store.getState().receive(item));
    tick();
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('selectEdgeRun', () => {
  it('is flowing into a running node and done between finished ones', () => {
    const { frames, tick } = manualFrames();
    const store = createRunStore(frames);
    store.getState().show(RUN);
    const [queued, started, qStarted, qDone, tplStarted, tplDone] = happyRun();
    [queued!, started!, qStarted!].forEach((item) => store.getState().receive(item));
    tick();
    expect(selectEdgeRun('q', 'tpl')(store.getState())).toBeNull();
    [qDone!, tplStarted!].forEach((item) => store.getState().receive(item));
    tick();
    expect(selectEdgeRun('q', 'tpl')(store.getState())).toBe('flowing');
    store.getState().receive(tplDone!);
    tick();
    expect(selectEdgeRun('q', 'tpl')(store.getState())).toBe('done');
  });
});

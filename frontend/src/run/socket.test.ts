import { event, happyRun, RUN } from './events.fixture';
import { backoffDelay, CLOSE_RUN_NOT_FOUND, openRunSocket, type SocketState } from './socket';
import type { RunEvent } from './types';

/** A stand-in WebSocket the test drives: open, deliver messages, close with a code. */
class MockSocket {
  static all: MockSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((message: MessageEvent) => void) | null = null;
  onclose: ((close: CloseEvent) => void) | null = null;
  closedWith: number | null = null;
  constructor(readonly url: string) {
    MockSocket.all.push(this);
  }
  open() {
    this.onopen?.();
  }
  send(item: RunEvent) {
    this.onmessage?.({ data: JSON.stringify(item) } as MessageEvent);
  }
  drop(code = 1006) {
    this.onclose?.({ code, reason: '' } as CloseEvent);
  }
  close(code?: number) {
    this.closedWith = code ?? 1000;
  }
}

const latest = () => MockSocket.all[MockSocket.all.length - 1]!;
const afterOf = (socket: MockSocket) => new URL(socket.url).searchParams.get('after');

function open(extra: { maxAttempts?: number } = {}) {
  const received: RunEvent[] = [];
  const states: SocketState[] = [];
  const socket = openRunSocket({
    runId: RUN,
    onEvent: (item) => received.push(item),
    onState: (state) => states.push(state),
    baseDelayMs: 100,
    maxDelayMs: 1000,
    WebSocketImpl: MockSocket as unknown as typeof WebSocket,
    url: (runId, after) => `ws://test/api/v1/runs/${runId}/events?after=${after}`,
    ...extra,
  });
  return { socket, received, states };
}

beforeEach(() => {
  MockSocket.all = [];
  vi.useFakeTimers();
  vi.spyOn(Math, 'random').mockReturnValue(1);
});
afterEach(() => vi.useRealTimers());

describe('openRunSocket', () => {
  it('starts from the beginning and passes events on in order', () => {
    const { received, states } = open();
    expect(afterOf(latest())).toBe('-1');
    latest().open();
    happyRun()
      .slice(0, 3)
      .forEach((item) => latest().send(item));
    expect(received.map((item) => item.seq)).toEqual([0, 1, 2]);
    expect(states).toEqual(['connecting', 'live']);
  });

  it('reconnects after a drop and resumes after the last seq', () => {
    const { received, socket } = open();
    const events = happyRun();
    latest().open();
    events.slice(0, 3).forEach((item) => latest().send(item));
    latest().drop();
    expect(MockSocket.all).toHaveLength(1);

    vi.advanceTimersByTime(100);
    expect(MockSocket.all).toHaveLength(2);
    expect(afterOf(latest())).toBe('2');
    expect(socket.lastSeq).toBe(2);

    // The server may repeat what was sent before the drop: nothing is passed on twice.
    latest().open();
    events.slice(1).forEach((item) => latest().send(item));
    expect(received.map((item) => item.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('backs off exponentially while the server stays away, up to the cap', () => {
    open();
    const delays: number[] = [];
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const count = MockSocket.all.length;
      latest().drop();
      let waited = 0;
      while (MockSocket.all.length === count) {
        vi.advanceTimersByTime(10);
        waited += 10;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('resets the backoff once events flow again', () => {
    open();
    latest().drop();
    vi.advanceTimersByTime(100);
    latest().drop();
    vi.advanceTimersByTime(200);
    latest().open();
    latest().send(happyRun()[0]!);
    latest().drop();
    vi.advanceTimersByTime(100);
    expect(MockSocket.all).toHaveLength(4);
    expect(afterOf(latest())).toBe('0');
  });

  it('stops after the terminal event and does not reconnect', () => {
    const { states } = open();
    latest().open();
    happyRun().forEach((item) => latest().send(item));
    expect(latest().closedWith).toBe(1000);
    latest().drop(1000);
    vi.advanceTimersByTime(10_000);
    expect(MockSocket.all).toHaveLength(1);
    expect(states.at(-1)).toBe('closed');
  });

  it('gives up on an unknown run (4404)', () => {
    const { states } = open();
    latest().drop(CLOSE_RUN_NOT_FOUND);
    vi.advanceTimersByTime(10_000);
    expect(MockSocket.all).toHaveLength(1);
    expect(states.at(-1)).toBe('lost');
  });

  it('gives up after too many failed attempts', () => {
    const { states } = open({ maxAttempts: 2 });
    latest().drop();
    vi.advanceTimersByTime(100);
    latest().drop();
    vi.advanceTimersByTime(200);
    latest().drop();
    vi.advanceTimersByTime(10_000);
    expect(MockSocket.all).toHaveLength(3);
    expect(states.at(-1)).toBe('lost');
  });

  it('close() stops reconnecting', () => {
    const { socket } = open();
    latest().open();
    socket.close();
    expect(latest().closedWith).toBe(1000);
    latest().drop(1006);
    vi.advanceTimersByTime(10_000);
    expect(MockSocket.all).toHaveLength(1);
  });

  it('resumes from a given seq', () => {
    const resumed = openRunSocket({
      runId: RUN,
      after: 4,
      onEvent: () => {},
      WebSocketImpl: MockSocket as unknown as typeof WebSocket,
      url: (runId, after) => `ws://test/${runId}?after=${after}`,
    });
    expect(afterOf(latest())).toBe('4');
    resumed.close();
  });

  it('ignores malformed messages', () => {
    const { received } = open();
    latest().open();
    latest().onmessage?.({ data: 'not json' } as MessageEvent);
    latest().send(event('run.queued', 0, { data: {} }));
    expect(received).toHaveLength(1);
  });
});

describe('backoffDelay', () => {
  it('doubles up to the cap, with jitter in the upper half', () => {
    expect(backoffDelay(0, 500, 15_000, () => 0)).toBe(250);
    expect(backoffDelay(3, 500, 15_000, () => 1)).toBe(4000);
    expect(backoffDelay(10, 500, 15_000, () => 1)).toBe(15_000);
  });
});

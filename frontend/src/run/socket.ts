/**
 * The run-events socket: `/api/v1/runs/{id}/events?after=<seq>`. Each message is one run
 * event. The client remembers the last `seq` it passed on, drops anything at or below it,
 * and when the connection drops before the run's terminal event it reconnects with
 * exponential backoff, resuming with `after=<last seq>` so nothing is missed or repeated.
 *
 * Close codes from the server: 1000 after the terminal event; 4404 no such run; 4400 a
 * bad `after` — neither of the last two is worth retrying.
 */
import { TERMINAL_EVENTS, type RunEvent } from './types';

export type SocketState = 'connecting' | 'live' | 'reconnecting' | 'closed' | 'lost';

export interface RunSocketOptions {
  runId: string;
  /** Resume after this seq (−1: from the start). */
  after?: number;
  onEvent: (event: RunEvent) => void;
  onState?: (state: SocketState, detail?: string) => void;
  /** Backoff: the first delay, doubled per failed attempt up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Give up after this many reconnects in a row without a message. */
  maxAttempts?: number;
  WebSocketImpl?: typeof WebSocket;
  url?: (runId: string, after: number) => string;
}

export const CLOSE_NORMAL = 1000;
export const CLOSE_BAD_REQUEST = 4400;
export const CLOSE_RUN_NOT_FOUND = 4404;

export function runEventsUrl(runId: string, after: number): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}/api/v1/runs/${encodeURIComponent(runId)}/events?after=${after}`;
}

/** The delay before reconnect number `attempt` (0-based): doubling, capped, with jitter. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export interface RunSocket {
  /** The last seq passed to `onEvent`. */
  readonly lastSeq: number;
  close: () => void;
}

export function openRunSocket(options: RunSocketOptions): RunSocket {
  const {
    runId,
    onEvent,
    onState = () => {},
    baseDelayMs = 500,
    maxDelayMs = 15_000,
    maxAttempts = 12,
    WebSocketImpl = WebSocket,
    url = runEventsUrl,
  } = options;
  let lastSeq = options.after ?? -1;
  let attempt = 0;
  let finished = false;
  let socket: WebSocket | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const stop = (state: SocketState, detail?: string) => {
    finished = true;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    onState(state, detail);
  };

  const connect = () => {
    timer = null;
    onState(attempt === 0 ? 'connecting' : 'reconnecting');
    const current = new WebSocketImpl(url(runId, lastSeq));
    socket = current;
    current.onopen = () => {
      if (socket === current) onState('live');
    };
    current.onmessage = (message: MessageEvent) => {
      if (socket !== current || finished) return;
      const event = parse(message.data);
      if (!event || event.seq <= lastSeq) return;
      lastSeq = event.seq;
      attempt = 0;
      onEvent(event);
      if (TERMINAL_EVENTS.has(event.type)) {
        socket = null;
        current.close(CLOSE_NORMAL);
        stop('closed');
      }
    };
    current.onclose = (close: CloseEvent) => {
      if (socket !== current || finished) return;
      socket = null;
      if (close.code === CLOSE_RUN_NOT_FOUND) return stop('lost', 'This run no longer exists.');
      if (close.code === CLOSE_BAD_REQUEST)
        return stop('lost', close.reason || 'The server refused the request.');
      if (close.code === CLOSE_NORMAL) return stop('closed');
      if (attempt >= maxAttempts) return stop('lost', 'Lost the connection to the server.');
      onState('reconnecting');
      timer = setTimeout(connect, backoffDelay(attempt, baseDelayMs, maxDelayMs));
      attempt += 1;
    };
  };

  connect();
  return {
    get lastSeq() {
      return lastSeq;
    },
    close: () => {
      if (finished) return;
      finished = true;
      if (timer !== null) clearTimeout(timer);
      const current = socket;
      socket = null;
      current?.close(CLOSE_NORMAL);
    },
  };
}

function parse(data: unknown): RunEvent | null {
  if (typeof data !== 'string') return null;
  try {
    const event = JSON.parse(data) as RunEvent;
    return typeof event?.seq === 'number' && typeof event.type === 'string' ? event : null;
  } catch {
    return null;
  }
}

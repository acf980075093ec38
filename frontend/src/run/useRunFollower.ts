/**
 * Follows the run on show: opens its event socket (replay from the start, then live),
 * feeds the run store, and keeps the run's id in the page URL (`?run=`) so a reload shows
 * the same run and picks up where it is.
 */
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useSearchParams } from 'react-router';

import { runKeys } from './api';
import { useRunStore, useRunStoreApi } from './context';
import { openRunSocket } from './socket';
import { selectRunId } from './store';

export const RUN_PARAM = 'run';

export interface RunFollowerOptions {
  /** The events socket's URL (a shared link's differs); the owner's by default. */
  eventsUrl?: (runId: string, after: number) => string;
}

export function useRunFollower(workflowId: string, { eventsUrl }: RunFollowerOptions = {}) {
  const store = useRunStoreApi();
  const runId = useRunStore(selectRunId);
  const session = useRunStore((state) => state.session);
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const fromUrl = params.get(RUN_PARAM);

  // The run named in the URL when the page opens.
  useEffect(() => {
    if (fromUrl && store.getState().picture === null) store.getState().show(fromUrl);
    // Only on mount: afterwards the store leads and the URL follows.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    if ((runId ?? null) === fromUrl) return;
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (runId) next.set(RUN_PARAM, runId);
        else next.delete(RUN_PARAM);
        return next;
      },
      { replace: true },
    );
  }, [runId, fromUrl, setParams]);

  useEffect(() => {
    if (!runId) return;
    const socket = openRunSocket({
      runId,
      url: eventsUrl,
      onEvent: (event) => store.getState().receive(event),
      onState: (state, detail) => {
        store.getState().setConnection(state);
        if (state === 'closed') void queryClient.invalidateQueries({ queryKey: runKeys.list(workflowId) });
        if (state === 'lost' && detail) {
          notifications.show({ color: 'red', title: 'Run events unavailable', message: detail });
        }
      },
    });
    return () => socket.close();
  }, [runId, session, store, queryClient, workflowId, eventsUrl]);
}

/**
 * Saving the open workflow: PUT with If-Match, never overwriting someone else's save.
 * A 409 puts the editor in the "Changed elsewhere" state until the person loads the latest.
 */
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useReactFlow } from '@xyflow/react';
import { useCallback, useRef, useState } from 'react';

import { ApiError, describeLocation, errorMessage } from '../../api/errors';
import { getWorkflow, useSaveWorkflow, workflowKeys } from '../../api/workflows';
import { useEditorStore, useEditorStoreApi } from '../../canvas/context';
import { selectIsDirty } from '../../canvas/store';

export type SaveStatus = 'saved' | 'dirty' | 'saving' | 'conflict';

export const SAVE_STATUS_TEXT: Record<SaveStatus, string> = {
  saved: 'Saved',
  dirty: 'Unsaved changes',
  saving: 'Saving…',
  conflict: 'Changed elsewhere',
};

export function useEditorSave(workflowId: string) {
  const store = useEditorStoreApi();
  const dirty = useEditorStore(selectIsDirty);
  const mutation = useSaveWorkflow(workflowId);
  const queryClient = useQueryClient();
  const { setViewport } = useReactFlow();
  const [conflict, setConflict] = useState<ApiError | null>(null);
  const [loadingLatest, setLoadingLatest] = useState(false);
  const inFlight = useRef(false);

  const save = useCallback(async () => {
    const state = store.getState();
    if (inFlight.current || conflict || !selectIsDirty(state)) return;
    const { version, revision } = state;
    inFlight.current = true;
    try {
      const saved = await mutation.mutateAsync({ version, document: state.toDocument() });
      store.getState().markSaved(saved.version, revision);
    } catch (error) {
      if (error instanceof ApiError && error.isConflict) {
        setConflict(error);
      } else {
        notifications.show({
          color: 'red',
          title: 'Could not save',
          message: describeSaveError(error),
          autoClose: 8000,
        });
      }
    } finally {
      inFlight.current = false;
    }
  }, [conflict, mutation, store]);

  /** Discard local edits and continue from what the server holds now. */
  const loadLatest = useCallback(async () => {
    setLoadingLatest(true);
    try {
      const latest = await queryClient.fetchQuery({
        queryKey: workflowKeys.detail(workflowId),
        queryFn: () => getWorkflow(workflowId),
        staleTime: 0,
      });
      store.getState().load({ version: latest.version, document: latest.document });
      void setViewport(store.getState().viewport);
      setConflict(null);
      notifications.show({ color: 'teal', message: `Loaded version ${latest.version}` });
    } catch (error) {
      notifications.show({
        color: 'red',
        title: 'Could not load the latest version',
        message: errorMessage(error),
      });
    } finally {
      setLoadingLatest(false);
    }
  }, [queryClient, setViewport, store, workflowId]);

  const status: SaveStatus = conflict
    ? 'conflict'
    : mutation.isPending
      ? 'saving'
      : dirty
        ? 'dirty'
        : 'saved';

  return { save, loadLatest, status, dirty, conflict, loadingLatest };
}

function describeSaveError(error: unknown): string {
  if (!(error instanceof ApiError) || error.errors.length === 0) return errorMessage(error);
  const first = error.errors.slice(0, 3).map((item) => {
    const where = describeLocation(item);
    return where ? `${item.message} (${where})` : item.message;
  });
  const more = error.errors.length > 3 ? ` …and ${error.errors.length - 3} more` : '';
  return `${error.detail ?? error.title}: ${first.join('; ')}${more}`;
}

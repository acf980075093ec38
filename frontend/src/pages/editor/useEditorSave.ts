/**
 * Saving the open workflow: autosave about a second after the last edit, PUT with
 * If-Match, never overwriting someone else's save. Edits are kept in localStorage until
 * the server has them; while the server is unreachable the editor is "offline" and retries.
 * A 409 puts the editor in "Changed elsewhere" until the person loads the latest or keeps
 * theirs as a new version on top of it. A save refused because a param holds a secret
 * lists each one (`secrets`) until a save goes through.
 */
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useReactFlow } from '@xyflow/react';
import { useCallback, useEffect, useRef, useState } from 'react';

import { ApiError, describeLocation, errorMessage } from '../../api/errors';
import type { Workflow, WorkflowProblem } from '../../api/types';
import { getWorkflow, saveWorkflow, workflowKeys } from '../../api/workflows';
import { useEditorStore, useEditorStoreApi } from '../../canvas/context';
import { isSecretRefusal, secretsToMove, type SecretToMove } from '../../canvas/secretMoves';
import { selectIsDirty, type EditorState } from '../../canvas/store';
import { clearDraft, writeDraft } from '../../lib/drafts';

export type SaveStatus = 'saved' | 'dirty' | 'saving' | 'offline' | 'conflict' | 'error';

export const SAVE_STATUS_TEXT: Record<SaveStatus, string> = {
  saved: 'Saved',
  dirty: 'Unsaved changes',
  saving: 'Saving…',
  offline: 'Offline — edits kept on this device',
  conflict: 'Changed elsewhere',
  error: 'Not saved',
};

export const AUTOSAVE_DELAY_MS = 1000;
const RETRY_MS = 4000;

const problemsOf = (workflow: Workflow): WorkflowProblem[] => workflow.problems ?? [];

/** Where the draft is saved and reloaded from: the workflow API, or an edit link's. */
export interface Persistence {
  save: (version: number, document: Workflow['document']) => Promise<Workflow>;
  load: () => Promise<Workflow>;
}

export const workflowPersistence = (workflowId: string): Persistence => ({
  save: (version, document) => saveWorkflow(workflowId, version, document),
  load: () => getWorkflow(workflowId),
});

export function useEditorSave(workflowId: string, persistence?: Persistence) {
  const [persist] = useState(() => persistence ?? workflowPersistence(workflowId));
  const store = useEditorStoreApi();
  const dirty = useEditorStore(selectIsDirty);
  const queryClient = useQueryClient();
  const { setViewport } = useReactFlow();
  const [status, setStatus] = useState<SaveStatus>(dirty ? 'dirty' : 'saved');
  const [conflict, setConflict] = useState<ApiError | null>(null);
  const [secrets, setSecrets] = useState<readonly SecretToMove[]>([]);
  const [busy, setBusy] = useState(false);
  const inFlight = useRef(false);
  const blocked = useRef(false);

  const keepDraft = useCallback(() => {
    const state = store.getState();
    if (selectIsDirty(state)) writeDraft(workflowId, state.version, state.toDocument());
  }, [store, workflowId]);

  const accept = useCallback(
    (saved: Workflow, revisionSaved: number) => {
      store.getState().markSaved(saved.version, revisionSaved, problemsOf(saved));
      queryClient.setQueryData(workflowKeys.detail(workflowId), saved);
      void queryClient.invalidateQueries({ queryKey: workflowKeys.lists() });
      void queryClient.invalidateQueries({ queryKey: workflowKeys.versions(workflowId) });
      if (!selectIsDirty(store.getState())) clearDraft(workflowId);
    },
    [queryClient, store, workflowId],
  );

  const save = useCallback(async () => {
    const state = store.getState();
    if (inFlight.current || blocked.current || !selectIsDirty(state)) return;
    const { version, revision: saving } = state;
    const document = state.toDocument();
    writeDraft(workflowId, version, document);
    inFlight.current = true;
    setStatus('saving');
    try {
      accept(await persist.save(version, document), saving);
      setSecrets([]);
      setStatus(selectIsDirty(store.getState()) ? 'dirty' : 'saved');
    } catch (error) {
      if (isSecretRefusal(error)) {
        const { catalogue } = store.getState();
        setSecrets(secretsToMove(error, document, (type) => catalogue.byType.get(type)?.paramsSchema));
        setStatus('error');
      } else if (error instanceof ApiError && error.isConflict) {
        blocked.current = true;
        setConflict(error);
        setStatus('conflict');
      } else if (error instanceof ApiError && (error.isNetworkError || error.status >= 500)) {
        setStatus('offline');
      } else {
        setStatus('error');
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
  }, [accept, persist, store, workflowId]);

  // Autosave a second after the last edit (every edit bumps the revision), and again after a
  // save that finished with newer edits pending. The store is watched directly rather than
  // through a hook, so that a drag (a revision per frame) does not re-render the editor.
  useEffect(() => {
    let timer: number | undefined;
    const schedule = (state: EditorState) => {
      window.clearTimeout(timer);
      if (!selectIsDirty(state) || blocked.current) return;
      setStatus((current) => (current === 'offline' || current === 'saving' ? current : 'dirty'));
      timer = window.setTimeout(() => void save(), AUTOSAVE_DELAY_MS);
    };
    schedule(store.getState());
    const unsubscribe = store.subscribe((state, previous) => {
      if (state.revision !== previous.revision || state.savedRevision !== previous.savedRevision) {
        schedule(state);
      }
    });
    return () => {
      unsubscribe();
      window.clearTimeout(timer);
    };
  }, [store, save]);

  // Offline: retry now and then, and as soon as the browser says it is back.
  useEffect(() => {
    if (status !== 'offline') return;
    const retry = () => void save();
    const timer = window.setInterval(retry, RETRY_MS);
    window.addEventListener('online', retry);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('online', retry);
    };
  }, [status, save]);

  // Keep edits when the tab is hidden or closed before the autosave ran.
  useEffect(() => {
    window.addEventListener('pagehide', keepDraft);
    document.addEventListener('visibilitychange', keepDraft);
    return () => {
      window.removeEventListener('pagehide', keepDraft);
      document.removeEventListener('visibilitychange', keepDraft);
    };
  }, [keepDraft]);

  const fetchLatest = useCallback(
    () =>
      queryClient.fetchQuery({
        queryKey: workflowKeys.detail(workflowId),
        queryFn: () => persist.load(),
        staleTime: 0,
      }),
    [queryClient, persist, workflowId],
  );

  const resolved = () => {
    blocked.current = false;
    setConflict(null);
  };

  /** Discard local edits and continue from what the server holds now. */
  const loadLatest = useCallback(async () => {
    setBusy(true);
    try {
      const latest = await fetchLatest();
      store
        .getState()
        .load({ version: latest.version, document: latest.document, problems: problemsOf(latest) });
      void setViewport(store.getState().viewport);
      clearDraft(workflowId);
      resolved();
      setStatus('saved');
      notifications.show({ color: 'teal', message: `Loaded version ${latest.version}` });
    } catch (error) {
      notifications.show({
        color: 'red',
        title: 'Could not load the latest version',
        message: errorMessage(error),
      });
    } finally {
      setBusy(false);
    }
  }, [fetchLatest, setViewport, store, workflowId]);

  /** Save these edits as a new version on top of the latest (the other save stays in the history). */
  const keepMine = useCallback(async () => {
    setBusy(true);
    try {
      const latest = await fetchLatest();
      const state = store.getState();
      const saved = await persist.save(latest.version, state.toDocument());
      accept(saved, state.revision);
      resolved();
      setStatus(selectIsDirty(store.getState()) ? 'dirty' : 'saved');
      notifications.show({ color: 'teal', message: `Saved your version as version ${saved.version}` });
    } catch (error) {
      notifications.show({
        color: 'red',
        title: 'Could not save your version',
        message: errorMessage(error),
      });
    } finally {
      setBusy(false);
    }
  }, [accept, fetchLatest, persist, store]);

  /** After a restore (or another server-side change) continue from `workflow`. */
  const adopt = useCallback(
    (workflow: Workflow) => {
      store
        .getState()
        .load({ version: workflow.version, document: workflow.document, problems: problemsOf(workflow) });
      queryClient.setQueryData(workflowKeys.detail(workflowId), workflow);
      void queryClient.invalidateQueries({ queryKey: workflowKeys.versions(workflowId) });
      clearDraft(workflowId);
      resolved();
      setStatus('saved');
    },
    [queryClient, store, workflowId],
  );

  // An edit shows as unsaved at once, before the autosave effect has run.
  const shown: SaveStatus = dirty && status === 'saved' ? 'dirty' : status;
  return { save, loadLatest, keepMine, adopt, status: shown, dirty, conflict, busy, secrets };
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

/** Provides one run-status store to the editor; components read it through selector hooks. */
import { createContext, useContext, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';

import { createRunStore, type RunState, type RunStore } from './store';

const RunStoreContext = createContext<RunStore | null>(null);

export function RunStoreProvider({ children, store }: { children: ReactNode; store?: RunStore }) {
  const [created] = useState(() => store ?? createRunStore());
  return <RunStoreContext.Provider value={created}>{children}</RunStoreContext.Provider>;
}

/** The store itself, for handlers that act without subscribing. */
export function useRunStoreApi(): RunStore {
  const store = useContext(RunStoreContext);
  if (!store) throw new Error('useRunStore must be used inside <RunStoreProvider>.');
  return store;
}

/** Subscribe to one slice of the run state. */
export function useRunStore<T>(selector: (state: RunState) => T): T {
  return useStore(useRunStoreApi(), selector);
}

// A store that never changes, for canvases shown outside an editor (no run to show).
const idle = createRunStore({ request: () => 0, cancel: () => {} });

/** Like `useRunStore`, but an idle store outside a provider (previews, tests). */
export function useOptionalRunStore<T>(selector: (state: RunState) => T): T {
  return useStore(useContext(RunStoreContext) ?? idle, selector);
}

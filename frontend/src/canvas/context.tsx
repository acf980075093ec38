/** Provides one editor store to a subtree; components read it through selector hooks. */
import { createContext, useContext, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';

import type { Catalogue } from './catalogue';
import { createEditorStore, type EditorState, type EditorStore, type LoadedWorkflow } from './store';

const EditorStoreContext = createContext<EditorStore | null>(null);

interface Props {
  initial: LoadedWorkflow;
  catalogue: Catalogue;
  children: ReactNode;
}

export function EditorStoreProvider({ initial, catalogue, children }: Props) {
  // Created once per mount; remount (key by workflow id) to edit another workflow.
  const [store] = useState(() => createEditorStore(initial, catalogue));
  return <EditorStoreContext.Provider value={store}>{children}</EditorStoreContext.Provider>;
}

/** The store itself, for event handlers that read state without subscribing. */
export function useEditorStoreApi(): EditorStore {
  const store = useContext(EditorStoreContext);
  if (!store) throw new Error('useEditorStore must be used inside <EditorStoreProvider>.');
  return store;
}

/** Subscribe to one slice of the editor state. */
export function useEditorStore<T>(selector: (state: EditorState) => T): T {
  return useStore(useEditorStoreApi(), selector);
}

/** The node-type catalogue (fixed for the store's life). */
export const useCatalogue = (): Catalogue => useEditorStoreApi().getState().catalogue;

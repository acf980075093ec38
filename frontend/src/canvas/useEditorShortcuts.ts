/**
 * Editor keyboard shortcuts and the clipboard. Copy and paste go through the system
 * clipboard as workflow-document JSON, so they work across workflows and browser tabs.
 * Typing in a field never triggers a canvas shortcut.
 */
import { useHotkeys } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useEffect } from 'react';

import type { WorkflowDocument } from '../api/types';
import { useEditorStoreApi } from './context';
import type { EditorStore } from './store';

const isEditable = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

/** Only documents (or fragments) of our own format are pasted. */
export function parseClipboard(text: string): WorkflowDocument | null {
  try {
    const value = JSON.parse(text) as Partial<WorkflowDocument>;
    if (value?.format === 'nodeloom.workflow' && Array.isArray(value.nodes)) return value as WorkflowDocument;
  } catch {
    return null;
  }
  return null;
}

function useClipboard(store: EditorStore) {
  useEffect(() => {
    const onCopy = (event: ClipboardEvent, cut = false) => {
      if (isEditable(event.target) || (window.getSelection()?.toString() ?? '') !== '') return;
      const fragment = store.getState().copySelection();
      if (!fragment || !event.clipboardData) return;
      event.clipboardData.setData('text/plain', JSON.stringify(fragment, null, 2));
      event.preventDefault();
      if (cut) store.getState().deleteSelection();
      const count = fragment.nodes?.length ?? 0;
      notifications.show({
        id: 'clipboard',
        message: `${cut ? 'Cut' : 'Copied'} ${count} node${count === 1 ? '' : 's'}`,
        autoClose: 1500,
      });
    };
    const onCut = (event: ClipboardEvent) => onCopy(event, true);
    const onPaste = (event: ClipboardEvent) => {
      if (isEditable(event.target)) return;
      const fragment = parseClipboard(event.clipboardData?.getData('text/plain') ?? '');
      if (!fragment) return;
      event.preventDefault();
      store.getState().paste(fragment);
    };
    document.addEventListener('copy', onCopy);
    document.addEventListener('cut', onCut);
    document.addEventListener('paste', onPaste);
    return () => {
      document.removeEventListener('copy', onCopy);
      document.removeEventListener('cut', onCut);
      document.removeEventListener('paste', onPaste);
    };
  }, [store]);
}

interface Handlers {
  onQuickAdd: () => void;
  onShortcuts: () => void;
}

export function useEditorShortcuts({ onQuickAdd, onShortcuts }: Handlers) {
  const store = useEditorStoreApi();
  useClipboard(store);
  const state = () => store.getState();
  useHotkeys([
    ['mod+Z', () => state().undo()],
    ['mod+shift+Z', () => state().redo()],
    ['mod+Y', () => state().redo()],
    ['mod+D', () => state().duplicateSelection(), { preventDefault: true }],
    ['mod+G', () => state().groupSelection(), { preventDefault: true }],
    [
      'mod+A',
      () =>
        state().onNodesChange(state().nodes.map((node) => ({ type: 'select', id: node.id, selected: true }))),
    ],
    ['Escape', () => state().selectOnly('')],
    ['Delete', () => state().deleteSelection()],
    ['Backspace', () => state().deleteSelection()],
    ['shift+L', () => state().autoLayout()],
    ['/', onQuickAdd, { preventDefault: true }],
    ['shift+?', onShortcuts],
    ['?', onShortcuts],
  ]);
}

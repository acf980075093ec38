/**
 * Unsaved edits kept in this browser (localStorage) until the server has them: written
 * before every save attempt and when the page is hidden, cleared after a successful save.
 */
import type { WorkflowDocument } from '../api/types';

export interface Draft {
  /** The server version the edits are based on. */
  baseVersion: number;
  document: WorkflowDocument;
  savedAt: string;
}

const key = (workflowId: string) => `nodeloom:draft:${workflowId}`;

export function readDraft(workflowId: string): Draft | null {
  try {
    const raw = window.localStorage.getItem(key(workflowId));
    if (!raw) return null;
    const draft = JSON.parse(raw) as Draft;
    return typeof draft.baseVersion === 'number' && draft.document ? draft : null;
  } catch {
    return null;
  }
}

export function writeDraft(workflowId: string, baseVersion: number, document: WorkflowDocument): void {
  try {
    const draft: Draft = { baseVersion, document, savedAt: new Date().toISOString() };
    window.localStorage.setItem(key(workflowId), JSON.stringify(draft));
  } catch {
    // Storage full or disabled: the in-memory edits remain; nothing else to do.
  }
}

export function clearDraft(workflowId: string): void {
  try {
    window.localStorage.removeItem(key(workflowId));
  } catch {
    // Ignore: see writeDraft.
  }
}

/** What a visitor's run list decides: which run to show when the page opens, and whether
 * to keep asking for fresh statuses. */
import { isFinished } from '../run/types';
import type { components } from '../api/schema';

type SharedRuns = components['schemas']['SharedRuns'];

/** Every run the visitor may see: theirs (newest first), then the owner's latest. */
export function visibleRuns(runs: SharedRuns) {
  return runs.owner_latest ? [...runs.yours, runs.owner_latest] : runs.yours;
}

/** The run a freshly opened page shows: the visitor's newest, else the owner's latest. */
export function runToShow(runs: SharedRuns): string | null {
  return visibleRuns(runs)[0]?.id ?? null;
}

export function hasLiveRun(runs: SharedRuns): boolean {
  return visibleRuns(runs).some((run) => !isFinished(run.status));
}

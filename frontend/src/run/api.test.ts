import { numberedRuns } from './api';
import type { RunPage, RunSummary } from './types';

const run = (id: string): RunSummary => ({
  id,
  workflow_id: 'wf',
  workflow_version: 2,
  status: 'succeeded',
  created_at: '2026-11-28T10:00:00Z',
  started_at: null,
  finished_at: null,
  duration_ms: 12,
  error: null,
});

const page = (ids: string[], offset: number, total: number): RunPage => ({
  items: ids.map(run),
  total,
  limit: 2,
  offset,
});

describe('numberedRuns', () => {
  it('numbers the runs from the newest down to #1 across pages', () => {
    const { runs, total } = numberedRuns([page(['e', 'd'], 0, 5), page(['c', 'b'], 2, 5), page(['a'], 4, 5)]);
    expect(total).toBe(5);
    expect(runs.map(({ run, number }) => `${run.id}#${number}`)).toEqual(['e#5', 'd#4', 'c#3', 'b#2', 'a#1']);
  });

  it('lists a run once when a newer run shifted the later page', () => {
    // Run "f" started between the two fetches: page two starts with "d" again.
    const { runs } = numberedRuns([page(['e', 'd'], 0, 5), page(['d', 'c'], 2, 6)]);
    expect(runs.map(({ run, number }) => `${run.id}#${number}`)).toEqual(['e#5', 'd#4', 'c#3']);
  });

  it('is empty without pages', () => {
    expect(numberedRuns([])).toEqual({ runs: [], total: 0 });
  });
});

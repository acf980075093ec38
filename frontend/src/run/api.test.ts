import { pagedRuns } from './api';
import type { ListedRun, RunPage } from './types';

const run = (id: string, number: number): ListedRun => ({
  id,
  number,
  workflow_id: 'wf',
  workflow_version: 2,
  status: 'succeeded',
  created_at: '2026-11-28T10:00:00Z',
  started_at: null,
  finished_at: null,
  duration_ms: 12,
  error: null,
});

const page = (runs: [string, number][], offset: number, total: number): RunPage => ({
  items: runs.map(([id, number]) => run(id, number)),
  total,
  limit: 2,
  offset,
});

describe('pagedRuns', () => {
  it('joins the pages in order, with the numbers the server gave', () => {
    const { runs, total } = pagedRuns([
      page(
        [
          ['e', 9],
          ['d', 7],
        ],
        0,
        3,
      ),
      page([['a', 2]], 2, 3),
    ]);
    expect(total).toBe(3);
    expect(runs.map((r) => `${r.id}#${r.number}`)).toEqual(['e#9', 'd#7', 'a#2']);
  });

  it('lists a run once when a newer run shifted the later page', () => {
    // Run "f" started between the two fetches: page two starts with "d" again.
    const { runs, total } = pagedRuns([
      page(
        [
          ['e', 5],
          ['d', 4],
        ],
        0,
        5,
      ),
      page(
        [
          ['d', 4],
          ['c', 3],
        ],
        2,
        6,
      ),
    ]);
    expect(runs.map((r) => `${r.id}#${r.number}`)).toEqual(['e#5', 'd#4', 'c#3']);
    expect(total).toBe(5);
  });

  it('is empty without pages', () => {
    expect(pagedRuns([])).toEqual({ runs: [], total: 0 });
  });
});

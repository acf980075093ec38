import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { accountsMe, apiTable, type Answer } from '../auth/fakeApi.test-util';
import { wireCatalogue } from '../test/catalogue';
import { json, renderRoute, stubFetch } from '../test/render';
import {
  FakeSocket,
  LAZY,
  listedRun,
  sharedRuns,
  SLOW,
  stubFontFaces,
  workflow,
} from './share.fixtures.test-util';
import type { SharedRuns } from './api';
import { hasLiveRun, runToShow, visibleRuns } from './sharedRuns';

describe('what a visitor’s run list decides', () => {
  const mine = listedRun('mine', 2, 'succeeded');
  const older = listedRun('older', 1, 'failed', 5);
  const owners = listedRun('owners', 9, 'running', 30);

  it('shows the visitor’s newest run first, else the owner’s latest, else none', () => {
    expect(runToShow(sharedRuns([mine, older], owners))).toBe('mine');
    expect(runToShow(sharedRuns([], owners))).toBe('owners');
    expect(runToShow(sharedRuns())).toBeNull();
    expect(visibleRuns(sharedRuns([mine], owners)).map((run) => run.id)).toEqual(['mine', 'owners']);
  });

  it('keeps asking while any visible run is still going', () => {
    expect(hasLiveRun(sharedRuns([mine, older]))).toBe(false);
    expect(hasLiveRun(sharedRuns([mine], owners))).toBe(true);
    expect(hasLiveRun(sharedRuns([listedRun('q', 3, 'queued')]))).toBe(true);
  });
});

describe('Your runs on a shared page', () => {
  beforeAll(stubFontFaces);
  afterEach(() => {
    vi.unstubAllGlobals();
    FakeSocket.urls = [];
  });

  const page = (scope: string, runs: SharedRuns, extra: Record<string, Answer> = {}) =>
    apiTable({
      'GET /auth/me': accountsMe(null),
      'GET /node-types': json(wireCatalogue),
      'GET /shared/tok': json({ scope, workflow, owner_name: 'Ada' }),
      'GET /shared/tok/runs': () => json(runs),
      ...extra,
    });

  it(
    'lists only this visitor’s runs, shows the newest, and shows another when picked',
    async () => {
      vi.stubGlobal('WebSocket', FakeSocket);
      stubFetch(page('run', sharedRuns([listedRun('r2', 2, 'succeeded'), listedRun('r1', 1, 'failed', 5)])));
      renderRoute('/s/tok');
      await waitFor(() => expect(FakeSocket.urls).toHaveLength(1), { timeout: LAZY });
      expect(FakeSocket.urls[0]).toMatch(/\/api\/v1\/shared\/tok\/runs\/r2\/events\?after=-1$/);

      await userEvent.click(screen.getByRole('button', { name: /^Your runs/ }));
      const list = await screen.findByRole('list', { name: 'Your runs' });
      expect(within(list).getAllByRole('listitem')).toHaveLength(2);
      expect(within(list).getByRole('button', { name: /^Your run 2, Succeeded/ })).toHaveAttribute(
        'aria-current',
        'true',
      );
      expect(screen.getByText('Only you see the runs you start here, in this browser.')).toBeInTheDocument();
      expect(screen.queryByText(/Latest run by/)).not.toBeInTheDocument(); // the link hides it
      await userEvent.click(within(list).getByRole('button', { name: /^Your run 1, Failed/ }));
      await waitFor(() => expect(FakeSocket.urls).toHaveLength(2));
      expect(FakeSocket.urls[1]).toContain('/api/v1/shared/tok/runs/r1/events');
    },
    SLOW,
  );

  it(
    'lists a run the visitor starts at once, and says when there is none yet',
    async () => {
      vi.stubGlobal('WebSocket', FakeSocket);
      let runs = sharedRuns();
      const started = listedRun('new', 1, 'queued', 0);
      stubFetch(
        page('run', runs, {
          'GET /shared/tok/runs': () => json(runs),
          'POST /shared/tok/runs': () => {
            runs = sharedRuns([started]);
            return json(started, { status: 202 });
          },
        }),
      );
      renderRoute('/s/tok');
      await userEvent.click(await screen.findByRole('button', { name: /^Your runs/ }, { timeout: LAZY }));
      expect(await screen.findByText('No runs yet. Press Run to start one.')).toBeInTheDocument();
      expect(FakeSocket.urls).toHaveLength(0); // nothing to show: no other visitor’s run
      await userEvent.click(screen.getByRole('button', { name: /^Your runs/ }));

      await userEvent.click(screen.getByRole('button', { name: 'Run' }));
      const dialog = await screen.findByRole('dialog', { name: /Run/ });
      await userEvent.type(within(dialog).getByLabelText(/question/), 'Hi');
      await userEvent.click(within(dialog).getByRole('button', { name: /Run/ }));
      await waitFor(() => expect(FakeSocket.urls).toHaveLength(1));
      await userEvent.click(screen.getByRole('button', { name: /^Your runs/ }));
      const list = await screen.findByRole('list', { name: 'Your runs' });
      expect(within(list).getByRole('button', { name: /^Your run 1, Queued/ })).toBeInTheDocument();
    },
    SLOW,
  );

  it(
    'shows the owner’s latest run beside the visitor’s own when the link shows it',
    async () => {
      vi.stubGlobal('WebSocket', FakeSocket);
      stubFetch(page('run', sharedRuns([], listedRun('own', 4, 'succeeded', 60))));
      renderRoute('/s/tok');
      await waitFor(() => expect(FakeSocket.urls).toHaveLength(1), { timeout: LAZY });
      expect(FakeSocket.urls[0]).toContain('/runs/own/events'); // the visitor has none yet
      await userEvent.click(screen.getByRole('button', { name: /^Your runs/ }));
      const owners = await screen.findByRole('list', { name: 'Latest run by Ada' });
      expect(
        within(owners).getByRole('button', { name: /^Ada’s latest run, Succeeded/ }),
      ).toBeInTheDocument();
    },
    SLOW,
  );

  it(
    'shows nothing of runs on a view link that hides the owner’s',
    async () => {
      vi.stubGlobal('WebSocket', FakeSocket);
      const { requests } = stubFetch(page('view', sharedRuns()));
      renderRoute('/s/tok');
      expect(
        await screen.findByRole('heading', { name: 'Support answers' }, { timeout: LAZY }),
      ).toBeInTheDocument();
      await waitFor(() =>
        expect(requests.some((request) => request.url.endsWith('/shared/tok/runs'))).toBe(true),
      );
      expect(screen.queryByRole('button', { name: /^Your runs|^Latest run/ })).not.toBeInTheDocument();
      expect(FakeSocket.urls).toHaveLength(0);
    },
    SLOW,
  );
});

import { createBrowserRouter, createMemoryRouter, type RouteObject } from 'react-router';

import { AppLayout } from './layout/AppLayout';
import { PageLoader } from './layout/PageLoader';
import { RouteError } from './layout/RouteError';
import { NotFoundPage } from './pages/NotFoundPage';
import { WorkflowListPage } from './pages/WorkflowListPage';

export const routes: RouteObject[] = [
  {
    errorElement: <RouteError />,
    hydrateFallbackElement: <PageLoader />,
    children: [
      { element: <AppLayout />, children: [{ index: true, element: <WorkflowListPage /> }] },
      {
        path: 'workflows/:workflowId',
        // The canvas (React Flow) loads only when a workflow is opened.
        lazy: async () => ({ Component: (await import('./pages/EditorPage')).EditorPage }),
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];

export const createAppRouter = () => createBrowserRouter(routes);

/** For tests: the same routes in memory, starting at `path`. */
export const createTestRouter = (path: string) => createMemoryRouter(routes, { initialEntries: [path] });

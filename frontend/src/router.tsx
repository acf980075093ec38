import { createBrowserRouter, createMemoryRouter, type RouteObject } from 'react-router';

import { ApiKeysPage } from './auth/ApiKeysPage';
import { LoginPage } from './auth/LoginPage';
import { RequireSession } from './auth/RequireSession';
import { SignUpPage } from './auth/SignUpPage';
import { CredentialsPage } from './credentials/CredentialsPage';
import { AppLayout } from './layout/AppLayout';
import { PageLoader } from './layout/PageLoader';
import { RouteError } from './layout/RouteError';
import { AdminUsersPage } from './pages/admin/AdminUsersPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { WorkflowListPage } from './pages/WorkflowListPage';

export const routes: RouteObject[] = [
  {
    errorElement: <RouteError />,
    hydrateFallbackElement: <PageLoader />,
    children: [
      { path: 'login', element: <LoginPage /> },
      { path: 'signup', element: <SignUpPage /> },
      {
        // Open to anyone holding the link; the page decides what the link allows.
        path: 's/:token',
        lazy: async () => ({ Component: (await import('./share/SharedPage')).SharedPage }),
      },
      {
        // Everything else needs a session in accounts mode.
        element: <RequireSession />,
        children: [
          {
            element: <AppLayout />,
            children: [
              { index: true, element: <WorkflowListPage /> },
              { path: 'credentials', element: <CredentialsPage /> },
              { path: 'settings/api-keys', element: <ApiKeysPage /> },
              { path: 'admin/users', element: <AdminUsersPage /> },
            ],
          },
          {
            path: 'workflows/:workflowId',
            // The canvas (React Flow) loads only when a workflow is opened.
            lazy: async () => ({ Component: (await import('./pages/EditorPage')).EditorPage }),
          },
        ],
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];

export const createAppRouter = () => createBrowserRouter(routes);

/** For tests: the same routes in memory, starting at `path`. */
export const createTestRouter = (path: string) => createMemoryRouter(routes, { initialEntries: [path] });

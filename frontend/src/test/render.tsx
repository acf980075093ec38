/** Render a route of the real app (theme, query cache, router) for component tests. */
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { RouterProvider } from 'react-router';

import { createTestRouter } from '../router';
import { theme } from '../theme';

export function renderRoute(path: string) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  const router = createTestRouter(path);
  const view = render(
    <MantineProvider theme={theme} env="test">
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>,
  );
  return { ...view, router, queryClient };
}

/** A fetch stub answering each request from `handler`, recording every request seen. */
export function stubFetch(handler: (request: Request) => Response | Promise<Response>) {
  const requests: Request[] = [];
  const fetchStub = vi.fn(async (input: Request) => {
    requests.push(input.clone());
    return handler(input);
  });
  vi.stubGlobal('fetch', fetchStub);
  return { requests, fetchStub };
}

export const json = (body: unknown, init: ResponseInit = {}) =>
  new Response(JSON.stringify(body), {
    status: 200,
    ...init,
    headers: { 'Content-Type': 'application/json', ...init.headers },
  });

export const problem = (body: Record<string, unknown>) =>
  new Response(JSON.stringify(body), {
    status: typeof body.status === 'number' ? body.status : 400,
    headers: { 'Content-Type': 'application/problem+json' },
  });

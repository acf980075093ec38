import { describe, expect, it } from 'vitest';

import { stubFetch } from '../test/render';
import { ApiError, describeLocation, toApiError } from './errors';
import { getWorkflow, saveWorkflow } from './workflows';

const problemResponse = (body: unknown, status: number) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/problem+json' } });

describe('toApiError', () => {
  it('maps a problem+json body with its errors', () => {
    const error = toApiError(
      { status: 422, statusText: 'Unprocessable Content' },
      {
        type: 'https://nodeloom.dev/problems/invalid_document',
        title: 'Invalid workflow document',
        status: 422,
        detail: 'The document has 2 problems.',
        errors: [
          {
            pointer: '/nodes/3/id',
            code: 'duplicate_node_id',
            message: "Node id 'a' is used more than once.",
          },
          { pointer: null, parameter: 'limit', in: 'query', code: 'out_of_range', message: 'Too big.' },
          { nonsense: true },
        ],
      },
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(422);
    expect(error.title).toBe('Invalid workflow document');
    expect(error.detail).toBe('The document has 2 problems.');
    expect(error.type).toBe('https://nodeloom.dev/problems/invalid_document');
    expect(error.errors).toEqual([
      {
        pointer: '/nodes/3/id',
        parameter: undefined,
        in: undefined,
        code: 'duplicate_node_id',
        message: "Node id 'a' is used more than once.",
      },
      { pointer: undefined, parameter: 'limit', in: 'query', code: 'out_of_range', message: 'Too big.' },
    ]);
    expect(error.errors.map(describeLocation)).toEqual(['/nodes/3/id', 'query limit']);
  });

  it('keeps current_version from a 409', () => {
    const error = toApiError(
      { status: 409, statusText: 'Conflict' },
      { title: 'Version conflict', status: 409, current_version: 7 },
    );
    expect(error.isConflict).toBe(true);
    expect(error.currentVersion).toBe(7);
  });

  it('copes with a body that is not a problem', () => {
    const error = toApiError({ status: 502, statusText: 'Bad Gateway' }, '<html>upstream down</html>');
    expect(error.status).toBe(502);
    expect(error.title).toBe('Bad Gateway');
    expect(error.detail).toBe('<html>upstream down</html>');
    expect(error.errors).toEqual([]);
  });
});

describe('client calls', () => {
  it('throws an ApiError with the problem from the server', async () => {
    stubFetch(() =>
      problemResponse(
        { type: 'about:blank', title: 'Not found', status: 404, detail: 'No workflow abc.' },
        404,
      ),
    );
    const failure = await getWorkflow('abc').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 404, title: 'Not found', detail: 'No workflow abc.' });
  });

  it('sends If-Match with the version and maps a 409', async () => {
    const { requests } = stubFetch(() =>
      problemResponse({ title: 'Version conflict', status: 409, detail: 'Stale.', current_version: 8 }, 409),
    );
    const failure = await saveWorkflow('w1', 7, { name: 'x' }).catch((error: unknown) => error);
    expect(requests[0]?.method).toBe('PUT');
    expect(requests[0]?.headers.get('If-Match')).toBe('"7"');
    expect(new URL(requests[0]!.url).pathname).toBe('/api/v1/workflows/w1');
    expect(failure).toMatchObject({ status: 409, currentVersion: 8 });
  });

  it('turns a network failure into status 0', async () => {
    stubFetch(() => {
      throw new TypeError('Failed to fetch');
    });
    const failure = await getWorkflow('abc').catch((error: unknown) => error);
    expect(failure).toMatchObject({ status: 0, isNetworkError: true });
  });
});

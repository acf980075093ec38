/** For tests: answer `METHOD /path` (under /api/v1) from a table; anything else is a 404 problem. */
import { json, problem } from '../test/render';

export type Answer = Response | ((request: Request) => Response | Promise<Response>);

export function apiTable(table: Record<string, Answer>) {
  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const key = `${request.method} ${url.pathname.replace(/^\/api\/v1/, '')}`;
    const answer = table[key];
    if (answer === undefined)
      return problem({ title: 'Not found', status: 404, detail: `No stub for ${key}` });
    return typeof answer === 'function' ? answer(request) : answer.clone();
  };
}

export const user = {
  id: 'u1',
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  is_admin: false,
  disabled: false,
  created_at: '2026-01-01T10:00:00Z',
};

export const accountsMe = (signedIn: typeof user | null, signupOpen = true) =>
  json({ mode: 'accounts', user: signedIn, signup_open: signupOpen });

export const singleMe = () => json({ mode: 'single', user: null, signup_open: false });

export const emptyPage = () => json({ items: [], total: 0, limit: 25, offset: 0 });

/** The list's search, sort and page, kept in the URL (?q=&sort=&page=) so they survive reloads. */
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';

import type { WorkflowSort } from '../../api/types';

export const SORT_OPTIONS: { value: WorkflowSort; label: string }[] = [
  { value: 'updated_desc', label: 'Last updated' },
  { value: 'updated_asc', label: 'Least recently updated' },
  { value: 'name_asc', label: 'Name A–Z' },
  { value: 'name_desc', label: 'Name Z–A' },
  { value: 'created_desc', label: 'Newest' },
];

const DEFAULT_SORT: WorkflowSort = 'updated_desc';
export const PAGE_SIZE = 25;

const isSort = (value: string | null): value is WorkflowSort =>
  SORT_OPTIONS.some((option) => option.value === value);

export interface ListParams {
  q: string;
  sort: WorkflowSort;
  page: number;
}

export function useListParams() {
  const [searchParams, setSearchParams] = useSearchParams();
  const params = useMemo<ListParams>(() => {
    const sort = searchParams.get('sort');
    const page = Number.parseInt(searchParams.get('page') ?? '1', 10);
    return {
      q: searchParams.get('q') ?? '',
      sort: isSort(sort) ? sort : DEFAULT_SORT,
      page: Number.isFinite(page) && page > 0 ? page : 1,
    };
  }, [searchParams]);

  const update = useCallback(
    (changes: Partial<ListParams>) => {
      setSearchParams(
        (previous) => {
          const next = new URLSearchParams(previous);
          const merged = { ...params, page: 1, ...changes };
          setOrDelete(next, 'q', merged.q.trim());
          setOrDelete(next, 'sort', merged.sort === DEFAULT_SORT ? '' : merged.sort);
          setOrDelete(next, 'page', merged.page > 1 ? String(merged.page) : '');
          return next;
        },
        { replace: true },
      );
    },
    [params, setSearchParams],
  );

  return [params, update] as const;
}

function setOrDelete(params: URLSearchParams, key: string, value: string) {
  if (value) params.set(key, value);
  else params.delete(key);
}

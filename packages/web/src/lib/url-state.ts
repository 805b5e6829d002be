import { useCallback, useMemo } from 'react';
import { useLocation, useSearch } from 'wouter';

/** Filters and tabs live in the query string, so a link shares the view. */
export function useUrlState(): [URLSearchParams, (changes: Record<string, string | null | undefined>) => void] {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const params = useMemo(() => new URLSearchParams(search), [search]);
  const update = useCallback((changes: Record<string, string | null | undefined>) => {
    const next = new URLSearchParams(search);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === undefined || value === '') next.delete(key);
      else next.set(key, value);
    }
    const text = next.toString();
    navigate(`${location}${text ? `?${text}` : ''}`, { replace: true });
  }, [search, location, navigate]);
  return [params, update];
}

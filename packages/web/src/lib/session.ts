import { useQuery } from '@tanstack/react-query';
import { apiGet } from './api-client.ts';

export interface SignedInUser { id: string; email: string; name: string | null; role: string }
export interface Me { tenant_id: string; user: SignedInUser | null; scopes: string[] }

/** The signed-in caller, or null when signed out. */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async (): Promise<Me | null> => {
      const state = await apiGet<Me & { signed_in: boolean }>('/dashboard/session');
      return state.signed_in ? state : null;
    },
    staleTime: 60_000,
    retry: false,
  });
}

/** What the role lets this person do; the server checks every write again. */
export function permissions(me: Me | null | undefined) {
  const scopes = me?.scopes ?? [];
  const admin = scopes.includes('admin');
  return { canWrite: admin || scopes.includes('ingest'), isAdmin: admin };
}

/** Only a path on this site may be the place to come back to after sign-in. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

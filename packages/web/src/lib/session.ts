import { useQuery } from '@tanstack/react-query';
import { ApiError, apiGet } from './api-client.ts';

export interface Me { tenant_id: string; user_id: string | null; scopes: string[] }
export interface SignedInUser { id: string; email: string; name: string | null; role: string }

const USER_KEY = 'runlog.user';

/** The signed-in caller, or null when signed out (a 401 is an answer here, not an error). */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async (): Promise<Me | null> => {
      try {
        return await apiGet<Me>('/auth/me');
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
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

export function rememberUser(user: SignedInUser | null): void {
  if (user) localStorage.setItem(USER_KEY, JSON.stringify(user));
  else localStorage.removeItem(USER_KEY);
}

export function rememberedUser(): SignedInUser | null {
  try {
    const raw = localStorage.getItem(USER_KEY);
    return raw ? (JSON.parse(raw) as SignedInUser) : null;
  } catch {
    return null;
  }
}

/** Only a path on this site may be the place to come back to after sign-in. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

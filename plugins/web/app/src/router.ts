// History routing under /app: `path` is the location below /app ("/shows/prd_1"); navigate()
// pushes a new entry; links call it instead of reloading the page.
import { signal } from './state';

const base = '/app';
const current = () => {
  const p = location.pathname.startsWith(base) ? location.pathname.slice(base.length) : '/';
  return (p || '/') + location.search;
};

export const route = signal<string>(current());
addEventListener('popstate', () => route.set(current()));

export function navigate(to: string, replace = false) {
  const url = base + to;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  route.set(current());
  scrollTo(0, 0);
}

/** Matches "/shows/:id" against a path; the named segments, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const [pathOnly] = path.split('?');
  const a = pattern.split('/');
  const b = pathOnly.split('/');
  if (a.length !== b.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    if (a[i].startsWith(':')) params[a[i].slice(1)] = decodeURIComponent(b[i]);
    else if (a[i] !== b[i]) return null;
  }
  return params;
}

export function query(name: string): string | null {
  return new URLSearchParams(location.search).get(name);
}

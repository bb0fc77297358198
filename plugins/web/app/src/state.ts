// A tiny observable value for app-wide state (language, signed-in user); components subscribe
// through useSignal. Not thread-related: the browser's single event loop only.
import { useEffect, useState } from 'preact/hooks';

export interface Signal<T> {
  get(): T;
  set(value: T): void;
  subscribe(listener: () => void): () => void;
}

export function signal<T>(initial: T): Signal<T> {
  let value = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set(next) {
      value = next;
      listeners.forEach((l) => l());
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function useSignal<T>(s: Signal<T>): T {
  const [, rerender] = useState(0);
  useEffect(() => s.subscribe(() => rerender((n) => n + 1)), [s]);
  return s.get();
}

// The signed-in user as the app knows it. The tokens themselves are HttpOnly cookies the app
// never sees; this only remembers who /auth/me said we are.
import { api, onSessionLost } from './api/client';
import type { User } from './api/types';
import { signal } from './state';

export const user = signal<User | null | undefined>(undefined); // undefined: not known yet

onSessionLost(() => user.set(null));

export async function loadUser() {
  try {
    user.set(await api.me());
  } catch {
    user.set(null);
  }
}

export async function logout() {
  try {
    await api.logout();
  } finally {
    user.set(null);
  }
}

// The signed-in user as the app knows it. The tokens themselves are HttpOnly cookies the app
// never sees; this only remembers who /auth/me said we are.
import { api, ApiError } from './api/client';
import type { User } from './api/types';
import { signal } from './state';

export const user = signal<User | null | undefined>(undefined); // undefined: not known yet

export async function loadUser() {
  try {
    user.set(await api.me());
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) user.set(null);
    else user.set(null);
  }
}

export async function logout() {
  try {
    await api.logout();
  } finally {
    user.set(null);
  }
}

// Vite build of the buyer app: served by the web plugin under /app, same origin as the API.
// ADMIT_WEB_OUT_DIR: where to write (the CMake target web_app passes the plugin folder's `web`).
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/app/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: process.env.ADMIT_WEB_OUT_DIR ?? 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
    // No inline <script> or data: modules: the Content-Security-Policy allows scripts from 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});

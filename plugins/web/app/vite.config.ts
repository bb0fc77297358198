// Vite build of the buyer app: served by the web plugin under /app, same origin as the API.
// ADMIT_WEB_OUT_DIR: where to write (the CMake target web_app passes the plugin folder's `web`).
import { defineConfig, type Plugin } from 'vite';

// The bundled Korean font (@fontsource/noto-sans-kr) lists a woff fallback beside every woff2
// subset; every browser the app supports reads woff2, so only those are emitted (half the size).
function woff2Only(): Plugin {
  return {
    name: 'admit-woff2-only',
    enforce: 'pre',
    transform(code, id) {
      if (!id.includes('@fontsource/') || !id.endsWith('.css')) return null;
      return code.replace(/, url\([^)]*\.woff\) format\('woff'\)/g, '');
    },
  };
}

export default defineConfig({
  base: '/app/',
  plugins: [woff2Only()],
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

// Writes `<file>.gz` (gzip -9) next to every text file of the build, for the web plugin to send
// to browsers that accept gzip. Run after `vite build`; reads ADMIT_WEB_OUT_DIR like vite.config.ts.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, constants } from 'node:zlib';

const root = process.env.ADMIT_WEB_OUT_DIR ?? 'dist';
const compressible = /\.(html|js|mjs|css|svg|json|txt|webmanifest)$/;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (compressible.test(name)) {
      const bytes = readFileSync(path);
      const gz = gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION });
      if (gz.length < bytes.length) writeFileSync(path + '.gz', gz);
    }
  }
}
walk(root);

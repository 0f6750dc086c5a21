import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

// Text files of at least this size are also written compressed.
const PRECOMPRESS_MIN_BYTES = 1024;
const PRECOMPRESSED = /\.(js|css|html|svg|json)$/;

// Writes a gzip and a brotli copy beside every text file of the build (x.js.gz, x.js.br): the
// server sends the one the browser asks for without compressing at each request, and the
// build's recorded sizes and hashes (build-info.json, which the frontend healer checks) cover
// them with the rest. Brotli at quality 6: within 1% of 9's size in a tenth of its time, which
// every build and heal pays.
function precompress(): Plugin {
  return {
    name: 'cmux-precompress',
    apply: 'build',
    writeBundle({ dir }) {
      const walk = (folder: string): string[] =>
        readdirSync(folder, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(folder, entry.name)) : [join(folder, entry.name)]));
      for (const file of walk(dir!).filter((f) => PRECOMPRESSED.test(f))) {
        const bytes = readFileSync(file);
        if (bytes.length < PRECOMPRESS_MIN_BYTES) continue;
        writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
        writeFileSync(`${file}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 6, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }));
      }
    },
  };
}

// The dashboard builds into apps/dashboard/dist, the folder the server serves and the healer
// guards (frontend.dist). `CMUX_DASHBOARD_OUT` lets the healer build into a fresh folder first.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), precompress()],
  build: {
    outDir: process.env.CMUX_DASHBOARD_OUT ?? 'dist',
    emptyOutDir: true,
    sourcemap: false,
  },
});

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dashboard builds into apps/dashboard/dist, the folder the server serves and the healer
// guards (frontend.dist). `CMUX_DASHBOARD_OUT` lets the healer build into a fresh folder first.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: process.env.CMUX_DASHBOARD_OUT ?? 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 900,
  },
});

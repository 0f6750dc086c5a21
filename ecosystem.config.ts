// The typed source of truth for the four PM2 apps. PM2 7 cannot load a .ts ecosystem file, so
// `pm2 start ecosystem.config.cjs` loads this one; `cmux start` builds the same apps.
import { mkdirSync } from 'node:fs';
import { loadConfig } from './apps/core/src/config/index.js';
// The module itself, not the folder's index: PM2 require()s this file, and the index also
// exports the log follower, whose execa is ESM only.
import { buildEcosystem } from './apps/core/src/ecosystem/apps.js';
import { homePaths } from './apps/core/src/paths/index.js';

const config = loadConfig();
mkdirSync(homePaths(config.home).logs, { recursive: true, mode: 0o700 });

export default buildEcosystem(config);

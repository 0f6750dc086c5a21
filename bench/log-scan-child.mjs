// Runs one log-watcher scan in a process of its own, from the compiled code the PM2 app runs,
// so its peak memory is the watcher's own:
//   node bench/log-scan-child.mjs <CMUX_HOME> <config file>
import { createLogger, loadConfig } from '../dist/apps/core/src/index.js';
import { createLogWatcher } from '../dist/apps/log-watcher/watcher.js';

const [home, configFile] = process.argv.slice(2);
const config = loadConfig({ env: { CMUX_HOME: home, CMUX_CONFIG: configFile, CMUX_TMUX_SOCKET: `${home}/no-tmux.sock` } });
const quiet = createLogger('bench', { out: { write: () => true }, err: { write: () => true } });
const watcher = createLogWatcher(config, quiet);
const started = performance.now();
const report = await watcher.scan();
const scanMs = performance.now() - started;
const idleStarted = performance.now();
await watcher.scan();
const idleMs = performance.now() - idleStarted;
process.stdout.write(`${JSON.stringify({ scanMs, idleMs, findings: report.findings, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);

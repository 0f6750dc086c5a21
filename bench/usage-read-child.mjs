// Reads one Claude Code transcript into an empty usage ledger in a process of its own, from the
// compiled code cmux-server runs, so its peak memory is the reading's own (with `--idle`, only
// loads that code: the baseline of a process that reads nothing):
//   node bench/usage-read-child.mjs <home> <cwd> <session id> [--idle]
import { readUsage } from '../dist/apps/usage/index.js';

const [home, cwd, sessionId, idle] = process.argv.slice(2);
const ledger = { version: 1, agents: {}, logs: {}, rows: [] };
const agent = { id: 'w1', kind: 'claude-code', cwd, project: null, createdAt: new Date(0).toISOString(), sessionId, env: new Map([['HOME', home]]) };
const started = performance.now();
if (idle !== '--idle') await readUsage(ledger, [agent]);
const readMs = performance.now() - started;
const calls = ledger.rows.reduce((n, row) => n + row.calls, 0);
process.stdout.write(`${JSON.stringify({ readMs, calls, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);

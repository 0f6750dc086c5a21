import { execFile } from 'node:child_process';
import { runDemoAgent } from './agent.js';

// The bundled demo agent: `node dist/apps/demo-agent/index.js`. cmux runs it when Claude Code is
// not installed, and every test uses it in place of a real agent.
const name = process.env.CMUX_AGENT_NAME ?? 'demo';
if (process.stdin.isTTY) process.stdin.setRawMode(true);
const exit = (code: number) => {
  process.stdout.write('\x1b[?2004l\r\n');
  process.exit(code);
};
process.on('SIGHUP', () => exit(0));
// Runs cmux the way a real agent would: the `cmux` command cmux puts on every agent's PATH.
const runCmux = (args: string[], report: (line: string) => void, done: () => void) => {
  execFile('cmux', args, { timeout: 60_000 }, (error, stdout, stderr) => {
    if (error) report(`cmux ${args[0]} failed: ${(stderr || error.message).trim().split('\n')[0]}`);
    else for (const line of stdout.trim().split('\n')) report(line);
    done();
  });
};
runDemoAgent({ name, input: process.stdin, output: process.stdout, recordFile: process.env.CMUX_DEMO_RECORD, runCmux, onExit: exit });

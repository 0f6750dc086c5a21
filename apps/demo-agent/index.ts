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
// Replies the way a real agent would: the `cmux` command cmux puts on every agent's PATH.
const sendMail = (to: string, subject: string, report: (line: string) => void) => {
  execFile('cmux', ['mail', 'send', '--to', to, '--subject', subject], { timeout: 15_000 }, (error, stdout, stderr) =>
    report(error ? `⎿ cmux mail send failed: ${(stderr || error.message).trim().split('\n')[0]}` : `⎿ ${stdout.trim()}`),
  );
};
runDemoAgent({ name, input: process.stdin, output: process.stdout, recordFile: process.env.CMUX_DEMO_RECORD, sendMail, onExit: exit });

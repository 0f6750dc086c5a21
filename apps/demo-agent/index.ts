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
runDemoAgent({ name, input: process.stdin, output: process.stdout, recordFile: process.env.CMUX_DEMO_RECORD, onExit: exit });

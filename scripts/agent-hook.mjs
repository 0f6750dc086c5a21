#!/usr/bin/env node
// An agent program's hook (Claude Code's, Codex's, Gemini CLI's: the kind is the first
// argument, claude-code when none): forwards the hook's JSON (stdin) to cmux's POST
// /api/agent-events, so the agent's status comes from the program itself. Prints nothing (Codex
// and Gemini read a hook's stdout as JSON) and never fails the hook: the program must go on.
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const { CMUX_URL, CMUX_HOME, CMUX_AGENT_NAME } = process.env;
const kind = /^[a-z][a-z0-9-]{0,39}$/.test(process.argv[2] ?? '') ? process.argv[2] : 'claude-code';
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', async () => {
  try {
    if (!CMUX_URL || !CMUX_AGENT_NAME) return;
    // The agents' own token (good for this route only), written by the server at start. Read as
    // cmux reads CMUX_HOME: through no link, and only from a regular file (a FIFO would hang).
    const state = join(CMUX_HOME ?? '.cmux', 'state');
    if (!lstatSync(state).isDirectory()) return;
    const fd = openSync(join(state, 'agent-token'), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    let token;
    try {
      if (!fstatSync(fd).isFile()) return;
      token = readFileSync(fd, 'utf8').trim();
    } finally {
      closeSync(fd);
    }
    const payload = input.trim() ? JSON.parse(input) : {};
    await fetch(`${CMUX_URL}/api/agent-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ agent: CMUX_AGENT_NAME, kind, event: payload.hook_event_name ?? 'unknown', payload }),
      signal: AbortSignal.timeout(2_000),
    });
  } catch {
    // cmux may be down; the hook must not block or fail Claude Code.
  }
});

import { Command } from 'commander';
import { loadConfig } from '../../core/src/config/index.js';
import { CmuxError, parseInput } from '../../core/src/errors/index.js';
import { listSessions, revokeSessions, sessionIdSchema, type SessionInfo } from '../../core/src/server-client/index.js';
import { printJson, say } from '../output.js';

// A time as the table shows it: UTC, to the minute.
const minute = (iso: string) => iso.slice(0, 16).replace('T', ' ');

function line(s: SessionInfo): string {
  const how = s.parent ? `${s.via} (minted by ${s.parent})` : s.via;
  return `${s.id}  ${minute(s.createdAt)}  ${minute(s.lastUsedAt)}  ${minute(s.expiresAt)}  ${how}`;
}

const revoke = new Command('revoke')
  .description('end a dashboard session and every session minted from it, or --all of them')
  .argument('[id]', 'the session id `cmux sessions` lists')
  .option('--all', 'end every dashboard session (every open dashboard must log in again)')
  .option('--json', 'print JSON')
  .action(async (id: string | undefined, opts: { all?: boolean; json?: boolean }) => {
    if ((id === undefined) === !opts.all) throw new CmuxError('CMUX_ERR_USAGE', 'give either one session id (`cmux sessions` lists them) or --all');
    const { revoked } = await revokeSessions(loadConfig(), opts.all ? 'all' : parseInput(sessionIdSchema, id, 'id'));
    if (opts.json) return printJson({ revoked });
    say(`ended ${revoked} session${revoked === 1 ? '' : 's'}`);
  });

const list = new Command('list')
  .description('the dashboard sessions: when each was made, last used and expires, and how it was made (the default)')
  .option('--json', 'print JSON')
  .action(async (opts: { json?: boolean }) => {
    const sessions = await listSessions(loadConfig());
    if (opts.json) return printJson(sessions);
    if (sessions.length === 0) return say('no dashboard sessions');
    say(`${'id'.padEnd(16)}  ${'created (UTC)'.padEnd(16)}  ${'last used'.padEnd(16)}  ${'expires'.padEnd(16)}  how`);
    for (const s of sessions) say(line(s));
  });

export const sessionsCommand = new Command('sessions')
  .description('the dashboard sessions: list them (`cmux sessions`), or end one or all (`cmux sessions revoke`)')
  .addCommand(list.exitOverride(), { isDefault: true })
  .addCommand(revoke.exitOverride());

import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { raiseAlert } from '../core/src/alerts/index.js';
import type { CmuxConfig } from '../core/src/config/index.js';
import { once, scheduleEvery, type AppHandle, type Schedule } from '../core/src/lifecycle/index.js';
import { redactSecrets, type Logger } from '../core/src/log/index.js';
import { skipUnsafe } from '../core/src/fs/index.js';
import { readToken } from '../core/src/server-client/index.js';
import { createAgentDeps } from '../agents/index.js';
import { findDiscrepancies } from './discrepancies.js';
import { candidateLines } from './candidates.js';
import { compileMatcher, CONTEXT_BEFORE, createFindingCollector, fingerprint, suggestNextStep, type Finding } from './findings.js';
import { MAX_LINE_BYTES, readLogChanges } from './log-reader.js';
import { createSampler, recordSample } from './metrics.js';
import { listSources } from './sources.js';
import { loadState, saveState, type WatcherState } from './state.js';

const SOURCE = 'log-watcher';
const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;

export interface ScanReport {
  files: number;
  findings: number;
  alerts: number;
}

// The app name a log file belongs to: `cmux-server.err.log` → `cmux-server`.
function appOf(file: string): string {
  return basename(file).replace(/(\.(out|err))?\.log.*$/, '');
}

function excerpt(finding: Finding): string {
  return [...finding.before.map((l) => `  ${l}`), `> ${finding.line}`, ...finding.after.map((l) => `  ${l}`)].join('\n');
}

// The cmux-log-watcher app: on its schedule, reads only the new bytes of every log, turns
// error lines (a stack trace as one) into findings, alerts the supervisor once per error
// fingerprint and counts repeats into a summary after the cooldown, reports registry/tmux
// discrepancies once per change, and records a health sample.
export function createLogWatcher(config: CmuxConfig, logger: Logger): AppHandle & { scan(): Promise<ScanReport> } {
  const matcher = compileMatcher(config.logWatcher.errorPatterns, config.logWatcher.ignorePatterns);
  const deps = createAgentDeps(config, logger);
  const sample = createSampler(config.home);
  let state: WatcherState = loadState(config.home, logger);
  let schedule: Schedule | undefined;
  let scanning: Promise<ScanReport> | undefined;
  // What could not be read, said once (while it lasts) rather than at every scan.
  let unreadable = new Set<string>();
  let stillUnreadable = new Set<string>();
  const skip = (problem: string) => {
    if (!unreadable.has(problem)) logger.warn(`not read: ${problem}`);
    stillUnreadable.add(problem);
  };

  async function alertFinding(finding: Finding, key: string, count: number, summary: boolean): Promise<void> {
    const fp = state.fingerprints[key]!;
    const app = appOf(finding.source);
    const title = summary
      ? `${app}: the same error ${count} more time(s) since ${fp.lastAlert}: ${finding.line.trim().slice(0, 120)}`
      : `${app}: ${finding.line.trim().slice(0, 160)}`;
    await raiseAlert(config, {
      source: SOURCE,
      kind: summary ? 'log-summary' : 'log',
      title,
      count,
      excerpt: excerpt(finding),
      details: [
        `# Log alert: ${app}`,
        '',
        `- Source: ${finding.source}`,
        `- Count: ${count}${summary ? ' (repeats during the cooldown)' : ''}`,
        `- First seen: ${fp.firstSeen}`,
        `- Last seen: ${fp.lastSeen}`,
        `- Fingerprint: \`${key.slice(0, 300)}\``,
        '',
        '## Excerpt',
        '',
        '```text',
        excerpt(finding),
        '```',
        '',
        '## Suggested next step',
        '',
        suggestNextStep(finding, app),
        '',
      ].join('\n'),
    });
  }

  async function scanOnce(): Promise<ScanReport> {
    const now = new Date();
    const nowIso = now.toISOString();
    const report: ScanReport = { files: 0, findings: 0, alerts: 0 };
    const found: Array<{ finding: Finding; key: string }> = [];
    // A secret a log line shows (the token, a bearer header) is never copied into an alert.
    const secrets = [skipUnsafe(() => readToken(config), null, skip)].filter((t): t is string => t !== null);
    stillUnreadable = new Set();
    for (const file of listSources(config, skip)) {
      report.files += 1;
      const collector = createFindingCollector(file, matcher, (finding) => found.push({ finding, key: fingerprint(finding) }), (line) => redactSecrets(line, secrets));
      const known = state.markers[file] ?? Object.values(state.markers).find((m) => m.inode !== 0 && m.inode === inodeOf(file));
      const lines = candidateLines(matcher.needles, CONTEXT_BEFORE, MAX_LINE_BYTES, {
        push: (line) => collector.push(line.text, line.truncated ? ` … (${line.bytes} bytes)` : ''),
        wantsNext: collector.wantsNext,
      });
      // One log that cannot be read safely (a link or FIFO planted among cmux's logs) costs
      // itself, not the scan.
      const result = skipUnsafe(() => readLogChanges(config.home, file, known, lines), null, skip);
      collector.end();
      if (!result) continue;
      state.markers[file] = result.marker;
      if (result.rotated) state.markers[result.rotated.file] = result.rotated.marker;
      if (result.event) logger.info(`${file} was ${result.event}; read on from its new start`);
    }
    unreadable = stillUnreadable;
    report.findings = found.length;

    for (const { finding, key } of found) {
      const fp = state.fingerprints[key];
      if (fp && now.getTime() - Date.parse(fp.lastAlert) < config.logWatcher.cooldownMs) {
        fp.pending += 1;
        fp.lastSeen = nowIso;
        continue;
      }
      const count = 1 + (fp?.pending ?? 0);
      state.fingerprints[key] = { firstSeen: fp?.firstSeen ?? nowIso, lastSeen: nowIso, lastAlert: nowIso, pending: 0, source: finding.source, sample: excerpt(finding).slice(0, 4_000) };
      await alertFinding(finding, key, count, false);
      report.alerts += 1;
    }
    for (const [key, fp] of Object.entries(state.fingerprints)) {
      const quietFor = now.getTime() - Date.parse(fp.lastAlert);
      if (fp.pending > 0 && quietFor >= config.logWatcher.cooldownMs) {
        const count = fp.pending;
        const sampleFinding: Finding = { source: fp.source, line: fp.sample.split('\n').find((l) => l.startsWith('> '))?.slice(2) ?? fp.sample, before: [], after: [] };
        await alertFinding(sampleFinding, key, count, true);
        fp.pending = 0;
        fp.lastAlert = nowIso;
        report.alerts += 1;
      } else if (fp.pending === 0 && now.getTime() - Date.parse(fp.lastSeen) > FORGET_AFTER_MS) {
        delete state.fingerprints[key];
      }
    }

    const comparison = await findDiscrepancies(deps).catch((error: unknown) => {
      logger.warn(`could not compare the registry with tmux: ${(error as Error).message}`);
      return null;
    });
    const discrepancies = comparison?.discrepancies;
    if (discrepancies) {
      const fresh = discrepancies.filter((d) => !state.discrepancies.includes(d.key));
      state.discrepancies = discrepancies.map((d) => d.key);
      if (fresh.length > 0) {
        await raiseAlert(config, {
          source: SOURCE,
          kind: 'discrepancy',
          title: fresh.length === 1 ? fresh[0]!.text : `${fresh.length} discrepancies between the agent registry and tmux`,
          count: fresh.length,
          excerpt: fresh.map((d) => d.text).join('\n'),
          details: ['# Agent registry and tmux disagree', '', ...fresh.map((d) => `- ${d.text}`), '', '## Suggested next step', '', 'Kill what is gone (`cmux kill <agent>`), respawn what is needed, or register a window on purpose (`POST /api/agents/register`).', ''].join('\n'),
        });
        report.alerts += 1;
      }
    }

    const metrics = await sample(comparison?.agents ?? 0);
    recordSample(config.home, metrics);
    const over = metrics.disk.usedPercent > config.logWatcher.diskAlertPercent;
    if (over && !state.diskAlerted) {
      await raiseAlert(config, {
        source: SOURCE,
        kind: 'disk',
        title: `the disk holding ${config.home} is ${metrics.disk.usedPercent}% full`,
        count: 1,
        excerpt: `${metrics.disk.freeBytes} bytes free of ${metrics.disk.totalBytes}`,
        details: `# Disk almost full\n\n${metrics.disk.path}: ${metrics.disk.usedPercent}% used, ${metrics.disk.freeBytes} bytes free.\n\n## Suggested next step\n\nFree space, or move CMUX_HOME; old journal attachments and rotated logs can go.\n`,
      });
      report.alerts += 1;
    }
    state.diskAlerted = over;
    saveState(config.home, state);
    if (report.findings > 0 || report.alerts > 0) logger.info(`scan: ${report.files} files, ${report.findings} findings, ${report.alerts} alerts`);
    return report;
  }

  // One scan at a time; a scan asked for while one runs shares it.
  function scan(): Promise<ScanReport> {
    scanning ??= scanOnce().finally(() => (scanning = undefined));
    return scanning;
  }

  return {
    scan,
    async start() {
      await scan();
      schedule = scheduleEvery('log scan', config.logWatcher.intervalSeconds, async () => void (await scan()), logger);
    },
    stop: once(async () => {
      await schedule?.stop();
      await scanning?.catch(() => undefined);
      saveState(config.home, state);
    }),
  };
}

function inodeOf(file: string): number {
  try {
    return statSync(file).ino;
  } catch {
    return -1;
  }
}

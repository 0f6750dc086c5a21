export { readLedger, type UsageRow } from './ledger-file.js';
export { claudeCodeLine, codexLine, geminiLine, type TokenCounts, type UsageRecord } from './records.js';
export { readUsage } from './read-logs.js';
export { costOf, priceOf, usageReport, type UsageGrouping, type UsageLine, type UsageReport } from './report.js';
export { parseSince, SINCE_HELP } from './since.js';
export { kindLogs, type UsageAgent } from './sources.js';
export { createUsageTracker, type UsageTracker } from './tracker.js';

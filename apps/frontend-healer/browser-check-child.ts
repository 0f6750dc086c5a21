// The healer's browser check, run as a process of its own (see browser-check.ts):
//   node browser-check-child.js <url> <chromium>
// prints {ok, problem} as JSON.
import { checkInBrowser } from '../core/src/frontend/checks.js';

const [url, chromium] = process.argv.slice(2);
process.stdout.write(JSON.stringify(await checkInBrowser(url!, chromium!)));

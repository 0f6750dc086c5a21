import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './instance.ts';

// Where a dashboard test saves a screenshot of what it checked: docs/screenshots (the README's
// pictures) when CMUX_UPDATE_SCREENSHOTS=1, else test-artifacts/screenshots, so that running the
// suite leaves the checkout as it found it.
export function screenshotFile(name: string): string {
  const folder = process.env.CMUX_UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : join(ROOT, 'test-artifacts', 'screenshots');
  mkdirSync(folder, { recursive: true });
  return join(folder, `${name}.png`);
}

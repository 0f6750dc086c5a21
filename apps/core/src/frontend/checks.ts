import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, type Stats } from 'node:fs';
import { extname, join } from 'node:path';
import { httpRequest, type HttpAnswer } from '../server-client/index.js';
import { BUILD_INFO, type BuildInfo } from './build.js';

export interface DiskCheck {
  ok: boolean;
  indexExists: boolean;
  jsBundles: number;
  // The files index.html references, relative to the build folder.
  assets: string[];
  problem: string | null;
}

const EXPECTED_TYPES: Record<string, RegExp> = { '.js': /javascript/, '.css': /text\/css/, '.html': /text\/html/ };

// The scripts and stylesheets index.html loads.
export function referencedAssets(html: string): string[] {
  const found = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g), ...html.matchAll(/<link[^>]*\shref="([^"]+\.css)"/g)].map((m) => m[1]!);
  return [...new Set(found.filter((src) => !/^[a-z]+:\/\//i.test(src)).map((src) => src.replace(/^\//, '')))];
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

// The hash of a file, read again only when its inode, size or change time moved: health asks
// at every request, and hashing the bundle each time cost the server more than serving it.
// Any write to a file moves its ctime, which no tool sets back.
const hashes = new Map<string, { key: string; sha256: string }>();
function fileSha256(file: string, stat: Stats): string {
  const key = `${stat.ino}:${stat.size}:${stat.ctimeMs}:${stat.mtimeMs}`;
  const known = hashes.get(file);
  if (known?.key === key) return known.sha256;
  const hash = sha256(readFileSync(file));
  // Every build names its files anew: forget old ones rather than keep them all.
  if (hashes.size >= 64) hashes.clear();
  hashes.set(file, { key, sha256: hash });
  return hash;
}

// On disk: index.html is there, every script and stylesheet it references is there and not
// empty, and (when the build left its build-info.json) has the size and hash it was built
// with, and every other file of the build its size.
export function checkOnDisk(dist: string): DiskCheck {
  const index = join(dist, 'index.html');
  if (!existsSync(index)) return { ok: false, indexExists: false, jsBundles: 0, assets: [], problem: `${index} is missing` };
  const assets = referencedAssets(readFileSync(index, 'utf8'));
  let info: BuildInfo | null = null;
  try {
    info = JSON.parse(readFileSync(join(dist, BUILD_INFO), 'utf8')) as BuildInfo;
  } catch {
    info = null;
  }
  const jsBundles = assets.filter((a) => a.endsWith('.js') && existsSync(join(dist, a))).length;
  for (const asset of assets) {
    const file = join(dist, asset);
    if (!existsSync(file)) return { ok: false, indexExists: true, jsBundles, assets, problem: `${asset} is missing` };
    const stat = statSync(file);
    const { size } = stat;
    if (size === 0) return { ok: false, indexExists: true, jsBundles, assets, problem: `${asset} is empty` };
    const expected = info?.files[asset];
    if (expected && (expected.size !== size || expected.sha256 !== fileSha256(file, stat))) {
      return { ok: false, indexExists: true, jsBundles, assets, problem: `${asset} is not what the build wrote (${size} bytes, built ${expected.size})` };
    }
  }
  if (jsBundles === 0) return { ok: false, indexExists: true, jsBundles, assets, problem: 'index.html loads no script' };
  // The rest of the build by size (a stat each, at every check): the chunks a view loads later
  // and the compressed copies (which the server sends only while they hold their file's bytes).
  for (const [file, expected] of Object.entries(info?.files ?? {})) {
    const path = join(dist, file);
    if (assets.includes(file)) continue;
    if (!existsSync(path)) return { ok: false, indexExists: true, jsBundles, assets, problem: `${file} is missing` };
    const size = statSync(path).size;
    if (size !== expected.size) return { ok: false, indexExists: true, jsBundles, assets, problem: `${file} is not what the build wrote (${size} bytes, built ${expected.size})` };
  }
  return { ok: true, indexExists: true, jsBundles, assets, problem: null };
}

export type ServedCheck = { reachable: false; problem: string } | { reachable: true; ok: boolean; problem: string | null };

// Served: GET / is 200 text/html, and every referenced asset is 200 with the right content type
// and the same bytes as on disk. An unreachable server is reported apart: it is not the
// frontend's fault, and rebuilding would not help.
export async function checkServed(baseUrl: string, dist: string, assets: readonly string[], timeoutMs: number): Promise<ServedCheck> {
  let page: HttpAnswer;
  try {
    page = await httpRequest(`${baseUrl}/`, { timeoutMs });
  } catch (error) {
    return { reachable: false, problem: `the server did not answer: ${(error as Error).message}` };
  }
  if (page.status !== 200 || !/text\/html/.test(page.contentType)) {
    return { reachable: true, ok: false, problem: `GET / answered ${page.status} ${page.contentType}` };
  }
  for (const asset of assets) {
    let response: HttpAnswer;
    try {
      response = await httpRequest(`${baseUrl}/${asset}`, { timeoutMs });
    } catch (error) {
      // Like the page: a server too busy to answer in time is not a broken build.
      return { reachable: false, problem: `the server did not answer GET /${asset}: ${(error as Error).message}` };
    }
    const expected = EXPECTED_TYPES[extname(asset)];
    if (response.status !== 200 || (expected && !expected.test(response.contentType))) return { reachable: true, ok: false, problem: `GET /${asset} answered ${response.status} ${response.contentType}` };
    if (!existsSync(join(dist, asset)) || sha256(response.body) !== fileSha256(join(dist, asset), statSync(join(dist, asset)))) {
      return { reachable: true, ok: false, problem: `/${asset} is served with other bytes than the file on disk` };
    }
  }
  return { reachable: true, ok: true, problem: null };
}

// In a browser: the page loads in headless Chromium and the app mounts without an uncaught error.
export async function checkInBrowser(url: string, chromiumPath: string): Promise<{ ok: boolean; problem: string | null }> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    timeout: 30_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url, { timeout: 15_000 });
    const mounted = await page
      .waitForFunction('document.getElementById("root")?.children.length > 0', undefined, { timeout: 10_000 })
      .then(() => true, () => false);
    if (errors.length > 0) return { ok: false, problem: `the page threw: ${errors[0]}` };
    return mounted ? { ok: true, problem: null } : { ok: false, problem: 'the app did not mount within 10 s' };
  } finally {
    await browser.close();
  }
}

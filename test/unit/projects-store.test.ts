import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isCmuxError, loadConfig, PACKAGE_NAME, REPO_ROOT } from '../../apps/core/src/index.ts';
import { listProjects, projectsFile, readProjects } from '../../apps/projects/index.ts';
import { updateProjects } from '../../apps/projects/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'cx-projects-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the projects file', () => {
  it('lists the checkout as the default project until cmux start records another folder', () => {
    const home = join(dir, 'empty');
    const config = loadConfig({ env: { CMUX_HOME: home }, cwd: dir });
    assert.deepEqual(listProjects(config).map((p) => [p.name, p.root, p.supervisor]), [['default', REPO_ROOT, 'supervisor']]);
  });

  it('keeps every one of many concurrent additions (one writer at a time)', async () => {
    const home = join(dir, 'busy');
    mkdirSync(home, { mode: 0o700 });
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        updateProjects(home, (file) => {
          file.projects[`p${i}`] = { root: `/r/${i}`, createdAt: new Date().toISOString() };
        }),
      ),
    );
    assert.equal(Object.keys(readProjects(home).projects).length, 12);
  });

  it('never reads a broken file as empty, and never writes over it', async () => {
    const home = join(dir, 'broken');
    mkdirSync(home, { mode: 0o700 });
    writeFileSync(projectsFile(home), 'projects: {bad name: {root: 1}}\n');
    assert.throws(() => readProjects(home), (error) => isCmuxError(error, 'CMUX_ERR_PROJECTS_CORRUPT') && /projects\.yaml is not valid/.test(error.message));
    await assert.rejects(
      updateProjects(home, (file) => void (file.projects.x = { root: '/x', createdAt: '' })),
      (error) => isCmuxError(error, 'CMUX_ERR_PROJECTS_CORRUPT'),
    );
    assert.equal(readFileSync(projectsFile(home), 'utf8'), 'projects: {bad name: {root: 1}}\n');
  });

  it('puts an installed copy\'s state in ~/.cmux, a checkout\'s in its .cmux', () => {
    const installed = join(dir, 'prefix', 'lib', 'node_modules', PACKAGE_NAME);
    cpSync(join(REPO_ROOT, 'config'), join(installed, 'config'), { recursive: true });
    assert.equal(loadConfig({ env: {}, cwd: dir, root: installed }).home, join(homedir(), '.cmux'));
    assert.equal(loadConfig({ env: { CMUX_HOME: join(dir, 'mine') }, cwd: dir, root: installed }).home, join(dir, 'mine'));
    assert.equal(loadConfig({ env: {}, cwd: dir }).home, join(REPO_ROOT, '.cmux'));
  });
});

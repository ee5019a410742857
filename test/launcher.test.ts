// tools/launcher/run.cjs where it needs no bundling, so the unit suite stays fast: a build folder it cannot create.
// (Rebuilds, the code cache and a checkout the user cannot write: test/process/launcher.test.ts.)
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, describe, expect, test } from 'vitest';
import { launcherProject } from './fixtures/launcher-project';

describe('the launcher\'s build folder', () => {
  const root = launcherProject("process.stdout.write('ran');\n");
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('a file in the place of .build: one line saying what to do, exit 1, the file kept, nothing run', () => {
    fs.writeFileSync(path.join(root, '.build'), 'mine\n');
    const r = spawnSync(process.execPath, ['tools/launcher/run.cjs', 'entry.ts'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`local-hands: cannot create the launcher's build folder ${root}/.build: something that is not a folder is in its place; move it away and run again\n`);
    expect(fs.readFileSync(path.join(root, '.build'), 'utf8')).toBe('mine\n');
  });

  test('a dangling symbolic link in the place of .build: the same line, the link kept', () => {
    fs.rmSync(path.join(root, '.build'));
    fs.symlinkSync(path.join(root, 'nowhere'), path.join(root, '.build'));
    const r = spawnSync(process.execPath, ['tools/launcher/run.cjs', 'entry.ts'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^local-hands: cannot create the launcher's build folder .*\/\.build: something that is not a folder is in its place; move it away and run again\n$/);
    expect(fs.readlinkSync(path.join(root, '.build'))).toBe(path.join(root, 'nowhere'));
  });
});

/**
 * The control plane helper itself: it is real (RBAC enforced, version as pinned),
 * and it leaves no processes and no data folder behind, after stop(), when the
 * process that started it is interrupted, and when it is killed outright.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { startControlPlane } from '../../tools/controlplane/controlplane';
import { START_TIMEOUT, eventually, repoRoot, tempDir } from './helpers';

/** Whether any process (not counting zombies, which may wait for PID 1 to reap them) is in the group. */
function groupAlive(pgid: number): boolean {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp ...; comm may hold spaces, so split after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') return true;
  }
  return false;
}

describe('startControlPlane', () => {
  it(
    'runs a real, RBAC-enforcing API server and stop() leaves nothing behind',
    async () => {
      const cp = await startControlPlane();
      let stopped = false;
      try {
        const pids = cp.pids();
        expect(pids.length).toBe(6); // watchdog, etcd, apiserver, controller-manager, scheduler, kwok
        for (const p of pids) expect(groupAlive(p)).toBe(true);
        expect(fs.existsSync(cp.dataDir)).toBe(true);

        const version = JSON.parse((await cp.kubectl(['version', '-o', 'json'])).stdout);
        expect(version.serverVersion.gitVersion).toBe('v1.36.3');
        // Unbound identities are denied by RBAC; the admin (system:masters) is allowed.
        const anon = await cp.kubectl(['auth', 'can-i', 'list', 'secrets', '-A', '--as=system:serviceaccount:x:y'], { allowFail: true });
        expect(anon.stdout.trim()).toBe('no');
        expect((await cp.kubectl(['auth', 'can-i', '*', '*'])).stdout.trim()).toBe('yes');
        const nodes = await cp.kubectl(['get', 'nodes', '-o', 'name']);
        expect(nodes.stdout.trim()).toBe(`node/${cp.nodes[0]}`);

        await cp.stop();
        stopped = true;
        for (const p of pids) expect(groupAlive(p), `process group ${p}`).toBe(false);
        expect(fs.existsSync(cp.dataDir)).toBe(false);
        await cp.stop(); // idempotent
      } finally {
        if (!stopped) await cp.stop();
      }
    },
    START_TIMEOUT,
  );

  it.each(['SIGKILL', 'SIGTERM', 'SIGINT'] as const)(
    'cleans up when the process that started it gets %s',
    async (signal) => {
      const dir = tempDir('local-hands-orphan-');
      try {
        const bundle = path.join(dir, 'start.cjs');
        buildSync({
          stdin: {
            contents: `
              const { startControlPlane } = require(${JSON.stringify(path.join(repoRoot, 'tools/controlplane/controlplane.ts'))});
              startControlPlane({ nodes: 0 }).then((cp) => {
                process.stdout.write(JSON.stringify({ pids: cp.pids(), dataDir: cp.dataDir }) + '\\n');
                setInterval(() => {}, 1000);
              }, (e) => { console.error(e); process.exit(1); });`,
            resolveDir: repoRoot,
            loader: 'js',
          },
          bundle: true,
          platform: 'node',
          format: 'cjs',
          outfile: bundle,
          logLevel: 'silent',
        });
        const child = spawn(process.execPath, [bundle], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
        const info = await new Promise<{ pids: number[]; dataDir: string }>((resolve, reject) => {
          let out = '';
          child.stdout.setEncoding('utf8').on('data', (c: string) => {
            out += c;
            if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
          });
          child.on('exit', (code) => reject(new Error(`starter exited ${code}`)));
        });
        for (const p of info.pids) expect(groupAlive(p)).toBe(true);
        child.kill(signal);
        // SIGTERM/SIGINT: the exit handlers clean up; SIGKILL: the watchdog notices within a second or so.
        await eventually(async () => {
          for (const p of info.pids) expect(groupAlive(p), `process group ${p}`).toBe(false);
          expect(fs.existsSync(info.dataDir)).toBe(false);
        }, 20_000);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    START_TIMEOUT,
  );
});

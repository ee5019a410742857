/** `npm run verify` (scripts/verify.ts): accepts dist/, names each object the server rejects and why. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verify } from '../../scripts/verify';
import { START_TIMEOUT, manifestFiles, manifestsDir, tempDir } from './helpers';

describe('verify()', () => {
  const scratch = tempDir('local-hands-verify-');
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it(
    'reports every object of dist/ as accepted and returns 0',
    async () => {
      const lines: string[] = [];
      const failures = await verify(manifestsDir(), { out: (l) => lines.push(l) });
      expect(failures, lines.join('\n')).toBe(0);
      expect(lines.filter((l) => l.startsWith('FAIL'))).toEqual([]);
      expect(lines.some((l) => /^ok {4}Deployment (default\/)?ubuntu-dev$/.test(l)), lines.join('\n')).toBe(true);
      expect(lines).toContain('ok    a second apply changes nothing');
    },
    START_TIMEOUT,
  );

  it(
    'names the rejected objects with the server message and returns non-zero',
    async () => {
      for (const f of manifestFiles(manifestsDir())) fs.copyFileSync(f, path.join(scratch, path.basename(f)));
      fs.writeFileSync(
        path.join(scratch, 'zz-broken.k8s.yaml'),
        [
          'apiVersion: v1',
          'kind: Service',
          'metadata: {name: broken-port, namespace: default}',
          'spec: {ports: [{port: 99999}], selector: {app: x}}',
          '---',
          'apiVersion: v1',
          'kind: ConfigMap',
          'metadata: {name: typo, namespace: default}',
          'dataa: {a: b}',
          '',
        ].join('\n'),
      );
      const lines: string[] = [];
      const failures = await verify(scratch, { out: (l) => lines.push(l) });
      expect(failures).toBe(2);
      const fails = lines.filter((l) => l.startsWith('FAIL'));
      expect(fails).toHaveLength(2);
      expect(fails.find((l) => l.includes('Service default/broken-port'))).toMatch(/must be between 1 and 65535/);
      expect(fails.find((l) => l.includes('ConfigMap default/typo'))).toMatch(/dataa/);
      expect(lines.filter((l) => l.startsWith('ok')).length).toBeGreaterThan(10);
    },
    START_TIMEOUT,
  );
});

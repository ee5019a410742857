// synthToDir and synthApp: a failed synth writes nothing; App options and file names our synth cannot honour are
// refused in one line. (The synth command run many times at once: test/process/output-processes.test.ts.)
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, AppProps, Chart, Names, YamlOutputType } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { IngressNginx, LocalHandsValidationError, synthApp, synthToDir } from '../index';
import { ROOT } from './util';
import { exampleBuild } from '../app/profiles';
import { checkOutputFolders } from './global-setup';

describe('a failed synth writes nothing', () => {
  test('synthToDir leaves the previous output untouched and no temporary folder behind', () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-atomic-'));
    const out = path.join(parent, 'dist');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'old.k8s.yaml'), 'kept\n');
    expect(() => synthToDir(app => {
      new IngressNginx(new Chart(app, 'ok'), 'ingress');
      new IngressNginx(new Chart(app, 'bad'), 'ingress', { replicas: 0 });
    }, out)).toThrow(LocalHandsValidationError);
    expect(fs.readdirSync(parent)).toEqual(['dist']);
    expect(fs.readdirSync(out)).toEqual(['old.k8s.yaml']);
    fs.rmSync(parent, { recursive: true, force: true });
  });

  test('the synth process exits 1 with the message on stderr, and the output folder keeps its files', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-bad-'));
    fs.writeFileSync(path.join(out, 'ingress-nginx.k8s.yaml'), 'previous\n');
    const kind = path.join(out, 'kind');
    const r = spawnSync(process.execPath, ['tools/launcher/run.cjs', 'test/fixtures/bad-app.ts'], {
      cwd: ROOT, env: { ...process.env, CDK8S_OUTDIR: out, LOCAL_HANDS_KIND_DIR: kind, LOCAL_HANDS_QUIET_BUILD: '1' }, encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("IngressNginx 'ingress' (ingress-nginx/ingress): hostPorts.http must be an integer in 1-65535, got 70000");
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(fs.readdirSync(out)).toEqual(['ingress-nginx.k8s.yaml']);
    expect(fs.readFileSync(path.join(out, 'ingress-nginx.k8s.yaml'), 'utf8')).toBe('previous\n');
    fs.rmSync(out, { recursive: true, force: true });
  });
});

describe('npm test on a checkout whose dist/ holds another profile', () => {
  test('is refused in one line saying what to run; the default profile\'s output passes', () => {
    const top = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-other-profile-'));
    try {
      synthToDir(exampleBuild('gateway'), path.join(top, 'dist'), path.join(top, 'kind'));
      expect(() => checkOutputFolders(top)).toThrow(/^dist\/ and kind\/ hold the gateway profile's output, but the tests compare them with the default profile's: run `npm run synth` \(no --profile\)/);
      fs.rmSync(top, { recursive: true, force: true });
      synthToDir(exampleBuild('default'), path.join(top, 'dist'), path.join(top, 'kind'));
      expect(() => checkOutputFolders(top)).not.toThrow();
    } finally {
      fs.rmSync(top, { recursive: true, force: true });
    }
  });
});

describe('App options and file names our synth cannot honour: one line, nothing written', () => {
  /** Builds an app with `props` into a fresh folder, synthesizes it, and returns what synthApp threw and left there. */
  const attempt = (props: Omit<AppProps, 'outdir'>, build: (app: App) => void) => {
    const top = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-app-options-'));
    try {
      const app = new App({ ...props, outdir: path.join(top, 'dist') });
      build(app);
      let error: unknown;
      try {
        synthApp(app, { kindDir: path.join(top, 'kind') });
      } catch (e) {
        error = e;
      }
      return { error, left: fs.readdirSync(top) };
    } finally {
      fs.rmSync(top, { recursive: true, force: true });
    }
  };
  const chart = (app: App) => new ApiObject(new Chart(app, 'c'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
  const configMaps = (...namespaces: string[]) => (app: App) => {
    const c = new Chart(app, 'c');
    namespaces.forEach((namespace, i) => new ApiObject(c, `o${i}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace } }));
  };

  test.each([
    ['an extension with a folder part', { outputFileExtension: '/../escape.yaml' }, chart,
      /^the app: App option outputFileExtension must be the end of a file name, without "\/", "\\", NUL or line breaks \(such as ".k8s.yaml"\), got "\/..\/escape.yaml"$/],
    ['an extension with a backslash', { outputFileExtension: '\\x.yaml' }, chart, /App option outputFileExtension must be .*, got "\\\\x.yaml"$/],
    ['a folder per chart', { yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE }, chart,
      /^the app: App option yamlOutputType must be one of YamlOutputType.FILE_PER_CHART, YamlOutputType.FILE_PER_APP, YamlOutputType.FILE_PER_RESOURCE \(local-hands writes the files of one folder, no subfolders\), got YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE$/],
    ['an output type cdk8s does not know', { yamlOutputType: 9 as YamlOutputType }, chart, /App option yamlOutputType must be one of .*, got 9$/],
    ['two chart ids cdk8s names one file', {}, (app: App) => { new Chart(app, Names.toDnsLabel(new Chart(app, 'Web'))); },
      /^the app: chart 'Web' \(Web\) and chart '(web-\w{8})' \(\1\) would both be written to "\1.k8s.yaml" \(cdk8s names the file of a chart from its id\): give them names that differ$/],
    ['one file per resource, one kind and name in two namespaces', { yamlOutputType: YamlOutputType.FILE_PER_RESOURCE }, configMaps('a', 'b'),
      /^the app: ConfigMap a\/x \(c\/o0\) and ConfigMap b\/x \(c\/o1\) would both be written to "ConfigMap.x.k8s.yaml" \(cdk8s names the file of an object from its kind and name\)/],
    ['a file name local-hands keeps for itself', { yamlOutputType: YamlOutputType.FILE_PER_RESOURCE, outputFileExtension: '' },
      (app: App) => { new ApiObject(new Chart(app, 'c'), 'o', { apiVersion: 'v1', kind: '', metadata: { name: 'local-hands-lock' } }); },
      /would be written to ".local-hands-lock", which is a name local-hands keeps for its own files in an output folder$/],
  ] as [string, Omit<AppProps, 'outdir'>, (app: App) => void, RegExp][])('%s', (_name, props, build, message) => {
    const { error, left } = attempt(props, build);
    expect(error).toBeInstanceOf(LocalHandsValidationError);
    expect((error as Error).message).toMatch(message);
    expect(left).toEqual([]);
  });

  test('the output types of one folder are written there, and the app keeps its outdir', () => {
    const top = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-app-types-'));
    try {
      for (const [type, files] of [
        [YamlOutputType.FILE_PER_APP, ['app.yaml']],
        [YamlOutputType.FILE_PER_RESOURCE, ['ConfigMap.x.yaml', 'Secret.x.yaml']],
      ] as [YamlOutputType, string[]][]) {
        const out = path.join(top, YamlOutputType[type]);
        const app = new App({ outdir: out, yamlOutputType: type, outputFileExtension: '.yaml' });
        const c = new Chart(app, 'c');
        new ApiObject(c, 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
        new ApiObject(c, 'b', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } });
        expect(synthApp(app)).toEqual(files.map(f => path.join(out, f)));
        expect(fs.readdirSync(out).filter(f => !f.startsWith('.')).sort()).toEqual(files);
        expect(app.outdir).toBe(out);
      }
    } finally {
      fs.rmSync(top, { recursive: true, force: true });
    }
  });
});

import * as path from 'path';
import { describe, expect, test } from 'vitest';
import {
  DEFAULT_KUBERNETES_CONFIG, DEFAULT_RUNTIME_IMAGE, IngressNginx, SandboxFleet, SandboxRuntime,
  SandboxRuntimeProps, UPSTREAM_SANDBOX_DEFECTS, actionExecutionServerCommand, loadKubernetesConfig,
} from '../index';
import { REFERENCE, errorOf, find, parseDocs, synthChart, synthChartYaml } from './util';

const render = (props: SandboxRuntimeProps) => synthChart(c => new SandboxRuntime(c, 's', props));
const EVERY_OPTION_CONFIG = loadKubernetesConfig(path.join(__dirname, 'fixtures', 'every-option.toml'));

describe('SandboxRuntime', () => {
  test('the reference config yields the default objects', () => {
    const config = loadKubernetesConfig(path.join(REFERENCE, 'openhands-kind', 'config.kubernetes.toml'));
    expect(render({ sid: 'abc', config })).toEqual(render({ sid: 'abc' }));
  });

  test('defaults: the five objects named after openhands-runtime-<sid>', () => {
    const docs = render({ sid: 'abc' });
    expect(docs.map(d => `${d.kind}/${d.metadata.name}`)).toEqual([
      'PersistentVolumeClaim/openhands-runtime-abc-pvc',
      'Pod/openhands-runtime-abc',
      'Service/openhands-runtime-abc-svc',
      'Service/openhands-runtime-abc-svc-code',
      'Ingress/openhands-runtime-abc-ingress-code',
    ]);
    for (const d of docs) expect(d.metadata.namespace).toBe('default');
    const pvc = find(docs, 'PersistentVolumeClaim');
    expect(pvc.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } });
    const pod = find(docs, 'Pod');
    expect(pod.metadata.labels).toEqual({ app: 'openhands-runtime', session: 'abc' });
    expect(pod.spec.restartPolicy).toBe('Never');
    expect(pod.spec.imagePullSecrets).toBeUndefined();
    expect(pod.spec.nodeSelector).toBeUndefined();
    expect(pod.spec.tolerations).toBeUndefined();
    const c = pod.spec.containers[0];
    expect(c.name).toBe('runtime');
    expect(c.image).toBe(DEFAULT_RUNTIME_IMAGE);
    expect(c.command).toEqual(actionExecutionServerCommand());
    expect(c.command.slice(9, 13)).toEqual(['openhands.runtime.action_execution_server', '8080', '--working-dir', '/workspace']);
    expect(c.workingDir).toBe('/openhands/code/');
    expect(c.env).toEqual([{ name: 'port', value: '8080' }, { name: 'PYTHONUNBUFFERED', value: '1' }, { name: 'VSCODE_PORT', value: '8081' }]);
    expect(c.ports).toEqual([{ containerPort: 8080, name: 'http' }, { containerPort: 8081, name: 'vscode' }, { containerPort: 30082 }, { containerPort: 30083 }]);
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/alive', port: 8080 }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 3 });
    expect(c.resources).toEqual({ limits: { memory: '2Gi' }, requests: { cpu: '1', memory: '1Gi' } });
    expect(c.securityContext).toEqual({ privileged: false });
    expect(c.volumeMounts).toEqual([{ name: 'workspace-volume', mountPath: '/workspace' }]);
    expect(pod.spec.volumes).toEqual([{ name: 'workspace-volume', persistentVolumeClaim: { claimName: 'openhands-runtime-abc-pvc' } }]);
    const svc = find(docs, 'Service', 'openhands-runtime-abc-svc');
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.selector).toEqual({ app: 'openhands-runtime', session: 'abc' });
    expect(svc.spec.ports[0]).toEqual({ port: 8080, targetPort: 'http', name: 'execution-server' });
    expect(find(docs, 'Service', 'openhands-runtime-abc-svc-code').spec.ports).toEqual([{ port: 8081, targetPort: 'vscode', name: 'code' }]);
    const ing = find(docs, 'Ingress');
    expect(ing.metadata.annotations).toEqual({ 'external-dns.alpha.kubernetes.io/hostname': 'abc.localhost' });
    expect(ing.spec.rules).toEqual([{ host: 'abc.localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'openhands-runtime-abc-svc-code', port: { number: 8081 } } } }] } }]);
    expect(ing.spec.tls).toBeUndefined();
  });

  test('with only a sid it renders the five objects named from openhands-runtime-<sid> (snapshot)', async () => {
    const docs = render({ sid: 'abc' });
    expect(docs.map(d => `${d.kind}/${d.metadata.name}`)).toEqual([
      'PersistentVolumeClaim/openhands-runtime-abc-pvc', 'Pod/openhands-runtime-abc', 'Service/openhands-runtime-abc-svc',
      'Service/openhands-runtime-abc-svc-code', 'Ingress/openhands-runtime-abc-ingress-code',
    ]);
    await expect(synthChartYaml(c => new SandboxRuntime(c, 's', { sid: 'abc' }))).toMatchFileSnapshot('../__snapshots__/sandbox-runtime-defaults.k8s.yaml');
  });

  test('snapshot with every option set', async () => {
    const yaml = synthChartYaml(c => new SandboxRuntime(c, 's', {
      sid: 'conv-42',
      config: EVERY_OPTION_CONFIG,
      image: 'registry.example.com/openhands/runtime:custom',
      command: ['/bin/sh', '-c', 'exec server'],
      env: [{ name: 'DEBUG', value: 'true' }],
      appPorts: [40000],
      ingressClassName: 'edge',
    }));
    const docs = parseDocs(yaml);
    const container = find(docs, 'Pod').spec.containers[0];
    expect(container.image).toBe('registry.example.com/openhands/runtime:custom');
    expect(container.command).toEqual(['/bin/sh', '-c', 'exec server']);
    expect(container.env).toContainEqual({ name: 'DEBUG', value: 'true' });
    expect(find(docs, 'Service', 'openhands-runtime-conv-42-svc').spec.ports.map((p: any) => p.port)).toEqual([8080, 40000]);
    expect(find(docs, 'Ingress').spec.ingressClassName).toBe('edge');
    await expect(yaml).toMatchFileSnapshot('../__snapshots__/sandbox-runtime-every-option.k8s.yaml');
  });

  test('every config option lands where upstream puts it', () => {
    const docs = render({ sid: 'x1', config: EVERY_OPTION_CONFIG });
    for (const d of docs) expect(d.metadata.namespace).toBe('sandboxes');
    expect(find(docs, 'PersistentVolumeClaim').spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } }, storageClassName: 'fast' });
    const pod = find(docs, 'Pod').spec;
    expect(pod.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(pod.nodeSelector).toEqual({ pool: 'sandboxes' });
    expect(pod.tolerations).toEqual(EVERY_OPTION_CONFIG.tolerations);
    expect(pod.containers[0].resources).toEqual({ limits: { memory: '4Gi' }, requests: { cpu: '500m', memory: '512Mi' } });
    expect(pod.containers[0].securityContext).toEqual({ privileged: true });
    const ing = find(docs, 'Ingress');
    expect(ing.spec.rules[0].host).toBe('x1.sandbox.example.com');
    expect(ing.spec.tls).toEqual([{ hosts: ['x1.sandbox.example.com'], secretName: 'wildcard-tls' }]);
  });

  describe('upstream defects, fixed by default behind a prop', () => {
    test('app ports are reachable on P-svc (exposeAppPorts)', () => {
      const ports = (props: Partial<SandboxRuntimeProps>) => find(render({ sid: 'a', ...props }), 'Service', 'openhands-runtime-a-svc').spec.ports;
      expect(ports({})).toEqual([
        { port: 8080, targetPort: 'http', name: 'execution-server' },
        { port: 30082, targetPort: 30082, name: 'app-30082' },
        { port: 30083, targetPort: 30083, name: 'app-30083' },
      ]);
      expect(ports({ exposeAppPorts: false })).toEqual([{ port: 8080, targetPort: 'http', name: 'execution-server' }]);
    });

    test('no VS Code Service, Ingress, port or plugin when VS Code is off (vscodeObjectsWhenDisabled)', () => {
      const off = render({ sid: 'a', vscode: false });
      expect(off.map(d => d.kind)).toEqual(['PersistentVolumeClaim', 'Pod', 'Service']);
      const c = find(off, 'Pod').spec.containers[0];
      expect(c.ports.map((p: any) => p.containerPort)).toEqual([8080, 30082, 30083]);
      expect(c.command).not.toContain('vscode');
      const upstream = render({ sid: 'a', vscode: false, vscodeObjectsWhenDisabled: true });
      expect(upstream.map(d => d.kind)).toEqual(['PersistentVolumeClaim', 'Pod', 'Service', 'Service', 'Ingress']);
    });

    test('the Ingress names the IngressNginx class (ingressClassName)', () => {
      expect(find(render({ sid: 'a' }), 'Ingress').spec.ingressClassName).toBe('nginx');
      expect(find(render({ sid: 'a', ingressClassName: false }), 'Ingress').spec.ingressClassName).toBeUndefined();
      const docs = synthChart(c => {
        const ingress = new IngressNginx(c, 'ingress', { ingressClass: { name: 'sandboxes' } });
        new SandboxRuntime(c, 's', { sid: 'a', ingressClassName: ingress.ingressClassName });
      });
      expect(find(docs, 'Ingress').spec.ingressClassName).toBe('sandboxes');
    });

    test('the server runs with user id 0, as the runtime asks, not the 1000 upstream falls through to (rootUserId)', () => {
      const args = (props: Partial<SandboxRuntimeProps>) => find(render({ sid: 'a', ...props }), 'Pod').spec.containers[0].command;
      const userId = (cmd: string[]) => cmd[cmd.indexOf('--user-id') + 1];
      expect(userId(args({}))).toBe('0');
      expect(userId(args({ rootUserId: false }))).toBe('1000');
      expect(args({ rootUserId: false })).toContain('root');
    });

    test('UPSTREAM_SANDBOX_DEFECTS reproduces upstream: 8080 only on P-svc, no class, user id 1000, VS Code objects without VS Code', () => {
      const docs = render({ sid: 'a', vscode: false, ...UPSTREAM_SANDBOX_DEFECTS });
      expect(find(docs, 'Service', 'openhands-runtime-a-svc').spec.ports.map((p: any) => p.port)).toEqual([8080]);
      expect(find(docs, 'Ingress').spec.ingressClassName).toBeUndefined();
      const cmd = find(docs, 'Pod').spec.containers[0].command;
      expect(cmd.slice(-4)).toEqual(['--username', 'root', '--user-id', '1000']);
      expect(find(docs, 'Service', 'openhands-runtime-a-svc-code')).toBeDefined();
    });
  });

  test('a partial config in code overrides the defaults', () => {
    const docs = render({ sid: 'a', config: { namespace: 'sandboxes', privileged: true } });
    expect(find(docs, 'Pod').metadata.namespace).toBe('sandboxes');
    expect(find(docs, 'Pod').spec.containers[0].securityContext).toEqual({ privileged: true });
    expect(find(docs, 'PersistentVolumeClaim').spec.resources.requests.storage).toBe('2Gi');
  });

  test('handles name the pod, its Service and the VS Code host', () => {
    let s!: SandboxRuntime;
    synthChart(c => { s = new SandboxRuntime(c, 's', { sid: 'abc', config: { ...DEFAULT_KUBERNETES_CONFIG, ingressDomain: 'example.com' } }); });
    expect(s.podName).toBe('openhands-runtime-abc');
    expect(s.pod.name).toBe('openhands-runtime-abc');
    expect(s.service.name).toBe('openhands-runtime-abc-svc');
    expect(s.host).toBe('abc.example.com');
  });

  const BAD: [string, any, RegExp][] = [
    ['empty sid', { sid: '' }, /sid must be a session id of 1-32 characters .*, got ""/],
    ['sid too long', { sid: 'a'.repeat(33) }, /sid must be a session id/],
    ['sid with upper case', { sid: 'Conv1' }, /sid must be a session id .*, got "Conv1"/],
    ['sid with a dot', { sid: 'a.b' }, /sid must be a session id .*, got "a\.b"/],
    ['app port clash', { sid: 'a', appPorts: [8080] }, /appPorts\[0\] must be a port other than 8080 and 8081/],
    ['duplicate app ports', { sid: 'a', appPorts: [30082, 30082] }, /appPorts\[1\] must be unique \(already used by appPorts\[0\]\), got 30082/],
    ['app port range', { sid: 'a', appPorts: [70000] }, /appPorts\[0\] must be an integer in 1-65535, got 70000/],
    ['reserved env', { sid: 'a', env: [{ name: 'port', value: '1' }] }, /env\[0\]\.name must be a name other than port, PYTHONUNBUFFERED, VSCODE_PORT/],
    ['bad image', { sid: 'a', image: 'Runtime Image' }, /image must be an image reference/],
    ['bad ingress class', { sid: 'a', ingressClassName: 'Nginx' }, /ingressClassName must be a DNS-1123 subdomain/],
    ['unknown prop', { sid: 'a', vsCode: false }, /vsCode must be absent: SandboxRuntime has no prop "vsCode"/],
    ['a config in code with a bad quantity', { sid: 'a', config: { resourceCpuRequest: 'lots' } }, /config\.resourceCpuRequest must be a Kubernetes quantity .*, got "lots"/],
    ['a config in code with a bad toleration', { sid: 'a', config: { tolerations: [{ key: 'a', operator: 'Maybe' }] } }, /config\.tolerations\[0\]\.operator must be one of "Exists", "Equal", got "Maybe"/],
    ['a config in code with an unknown field', { sid: 'a', config: { pvcSize: '1Gi' } }, /config\.pvcSize must be absent: KubernetesConfig has no field "pvcSize"/],
    // What the API server refuses, found by the differential test (test/cluster/differential.test.ts):
    ['a memory request above the limit', { sid: 'a', config: { resourceMemoryRequest: '3Gi' } },
      /: config\.resourceMemoryLimit must be at least config\.resourceMemoryRequest \("3Gi"\), got "2Gi"$/],
    ['an empty volume claim', { sid: 'a', config: { pvcStorageSize: '0' } },
      /: config\.pvcStorageSize must be a quantity above 0 such as "2Gi" \(a volume claim must ask for some storage\), got "0"$/],
    ['a session host that spells an IP address, which the API server refuses as an Ingress host', { sid: '10', config: { ingressDomain: '0.0.1' } },
      /: sid must be a session id that does not make "<sid>\.0\.0\.1" an IP address \(the VS Code host must be a DNS name\), got "10"$/],
    ['an ingress domain too long for "<sid>.<domain>"', { sid: 'a', config: { ingressDomain: `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(38)}` } },
      /: config\.ingressDomain must be a DNS name of at most 220 characters such as "localhost" or "sandbox\.example\.com" \(VS Code is served at "<sid>\.<ingress_domain>", at most 253\), got "a{60}\.b{60}\.c{60}\.d{38}"$/],
  ];
  test.each(BAD)('bad prop: %s', (_n, props, pattern) => {
    const message = errorOf(c => new SandboxRuntime(c, 's', props));
    expect(message).toMatch(/^SandboxRuntime 's' \(test\/s\): /);
    expect(message).toMatch(pattern);
  });
});

describe('SandboxFleet', () => {
  test('renders N = 1000 sessions with unique names', () => {
    const docs = synthChart(c => new SandboxFleet(c, 'fleet', { count: 1000 }));
    expect(docs).toHaveLength(5000);
    const keys = new Set(docs.map(d => `${d.kind}/${d.metadata.namespace}/${d.metadata.name}`));
    expect(keys.size).toBe(5000);
    expect(new Set(docs.filter(d => d.kind === 'Ingress').map(d => d.spec.rules[0].host)).size).toBe(1000);
    expect(find(docs, 'Pod', 'openhands-runtime-session-1000').metadata.labels.session).toBe('session-1000');
  });

  test('explicit sids, shared props', () => {
    const docs = synthChart(c => new SandboxFleet(c, 'fleet', { sids: ['a', 'b'], vscode: false }));
    expect(docs.map(d => d.metadata.name)).toEqual([
      'openhands-runtime-a-pvc', 'openhands-runtime-a', 'openhands-runtime-a-svc',
      'openhands-runtime-b-pvc', 'openhands-runtime-b', 'openhands-runtime-b-svc',
    ]);
  });

  test('duplicate sids are refused', () => {
    expect(errorOf(c => new SandboxFleet(c, 'fleet', { sids: ['a', 'b', 'a'] }))).toMatch(/SandboxFleet 'fleet' \(test\/fleet\): sids\[2\] must be unique \(sids\[0\] is also "a"\), got "a"/);
  });

  test('an empty sid is refused, not a crash of the construct tree', () => {
    expect(errorOf(c => new SandboxFleet(c, 'fleet', { sids: ['a', ''] })))
      .toBe('SandboxFleet \'fleet\' (test/fleet): sids[1] must be a session id of 1-32 characters of a-z, 0-9 and "-", starting and ending with a letter or digit, got ""');
  });

  test('sids and count together are refused', () => {
    expect(errorOf(c => new SandboxFleet(c, 'fleet', { sids: ['a'], count: 1 }))).toMatch(/give exactly one of sids and count, got both/);
  });
});

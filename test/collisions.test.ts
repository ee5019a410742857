import { ApiObject, App, Chart } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { IngressNginx, LocalHandsValidationError, SandboxRuntime, Traefik, UbuntuDevWorkload, addGatewayStack, addOpenHandsStack, apiObjectCollisions, refuseCollisions, synthToDir } from '../index';
import { renderCharts } from '../app/synth';
import { synthChart } from './util';

/** Builds an app and returns the message its synth is refused with. */
/** Builds an app in one chart and renders it as our synth does (every check, collisions included). */
function rendered(build: (chart: Chart) => void): void {
  const app = new App({ outdir: '/nonexistent/never-written' });
  build(new Chart(app, 'test'));
  renderCharts(app);
}

function refusal(build: (app: App) => void): string {
  try {
    synthToDir(build, '/nonexistent/never-written');
  } catch (e) {
    expect(e).toBeInstanceOf(LocalHandsValidationError);
    return (e as Error).message;
  }
  throw new Error('expected the synth to be refused');
}

describe('objects that would overwrite each other are refused at synth time, naming both construct paths', () => {
  test('two workloads with the same kind, namespace and name', () => {
    const message = refusal(app => {
      new UbuntuDevWorkload(new Chart(app, 'a'), 'dev');
      new UbuntuDevWorkload(new Chart(app, 'b'), 'dev');
    });
    expect(message).toContain('Deployment ubuntu-dev is defined twice, by a/dev/deployment and by b/dev/deployment');
    expect(message).toContain('Service ubuntu-dev is defined twice, by a/dev/service and by b/dev/service');
  });

  test('two sandbox sessions with one sid', () => {
    const message = refusal(app => {
      new SandboxRuntime(new Chart(app, 'one'), 's', { sid: 'abc' });
      new SandboxRuntime(new Chart(app, 'two'), 's', { sid: 'abc' });
    });
    expect(message).toContain('Pod default/openhands-runtime-abc is defined twice, by one/s/pod and by two/s/pod');
  });

  test('a workload named like the ingress controller in its namespace', () => {
    const message = refusal(app => {
      new IngressNginx(new Chart(app, 'ingress'), 'i');
      new UbuntuDevWorkload(new Chart(app, 'dev'), 'dev', { name: 'ingress-nginx-controller', namespace: 'ingress-nginx' });
    });
    expect(message).toContain('Deployment ingress-nginx/ingress-nginx-controller is defined twice, by ingress/i/controller and by dev/dev/deployment');
  });

  test('two IngressNginx in different namespaces still share cluster-scoped names unless their instances differ', () => {
    const message = refusal(app => {
      new IngressNginx(new Chart(app, 'a'), 'i', { namespace: 'one' });
      new IngressNginx(new Chart(app, 'b'), 'i', { namespace: 'two' });
    });
    expect(message).toContain('ClusterRole ingress-nginx is defined twice, by a/i/controller-cluster-role and by b/i/controller-cluster-role');
    expect(message).toContain('IngressClass nginx is defined twice');
    expect(message).toContain('ValidatingWebhookConfiguration ingress-nginx-admission is defined twice');
  });

  test('a second addOpenHandsStack in one app is refused in one line, not with a construct-tree trace', () => {
    const message = refusal(app => { addOpenHandsStack(app); addOpenHandsStack(app); });
    expect(message).toMatch(/^addOpenHandsStack: the app has constructs "ingress-nginx", "mirrord-rbac", "ubuntu-dev", "kind" already/);
  });

  test('two different stacks sharing chart ids are refused in one line naming the ids, not with a construct-tree message', () => {
    const message = refusal(app => { addOpenHandsStack(app); addGatewayStack(app); });
    expect(message).toBe('addGatewayStack: the app has constructs "mirrord-rbac", "ubuntu-dev", "kind" already (mirrord-rbac from an earlier stack or your own code): '
      + 'the stack needs the ids "crds-gateway-api", "crds-traefik", "traefik", "sandboxes", "mirrord-rbac", "ubuntu-dev", "server", "kind"; add one stack per app, or build the other parts from the constructs themselves');
  });

  test('a consumer\'s own app.synth() refuses them once the consumer asks for the check (refuseCollisions)', () => {
    const app = new App({ outdir: '/nonexistent/never-written' });
    refuseCollisions(app);
    new UbuntuDevWorkload(new Chart(app, 'a'), 'dev');
    new UbuntuDevWorkload(new Chart(app, 'b'), 'dev');
    expect(() => app.synth()).toThrow(/Deployment ubuntu-dev is defined twice/);
  });

  test('our constructs add nothing to the consumer\'s app; our synth checks every object, plain cdk8s ones too', () => {
    const app = new App({ outdir: '/nonexistent/never-written' });
    new Traefik(new Chart(app, 'a'), 't');
    new Traefik(new Chart(app, 'b'), 't');
    expect(app.node.validate()).toEqual([]);
    expect(refusal(a => { new Traefik(new Chart(a, 'a'), 't'); new Traefik(new Chart(a, 'b'), 't'); })).toMatch(/ClusterRole .* is defined twice/);
    expect(refusal(a => {
      new ApiObject(new Chart(a, 'x'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'same', namespace: 'n' } });
      new ApiObject(new Chart(a, 'y'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'same', namespace: 'n' } });
    })).toContain('ConfigMap n/same is defined twice, by x/cm and by y/cm');
  });

  test('objects of the same name in different namespaces, or of different kinds, do not collide', () => {
    expect(() => rendered(c => {
      new UbuntuDevWorkload(c, 'a', { namespace: 'one' });
      new UbuntuDevWorkload(c, 'b', { namespace: 'two' });
    })).not.toThrow();
  });
});

describe('IngressNginx instances run side by side', () => {
  test('an instance prefixes cluster-scoped names, the class, the controller class and the election id like a Helm release', () => {
    const docs = synthChart(c => {
      new IngressNginx(c, 'a');
      new IngressNginx(c, 'b', { instance: 'team-a' });
    });
    const names = (kind: string) => docs.filter(d => d.kind === kind).map(d => d.metadata.name);
    expect(names('ClusterRole')).toEqual(['ingress-nginx', 'ingress-nginx-admission', 'team-a-ingress-nginx', 'team-a-ingress-nginx-admission']);
    expect(names('IngressClass')).toEqual(['nginx', 'team-a-nginx']);
    expect(names('Namespace')).toEqual(['ingress-nginx', 'team-a-ingress-nginx']);
    const args = docs.filter(d => d.kind === 'Deployment')[1].spec.template.spec.containers[0].args;
    expect(args).toContain('--election-id=team-a-ingress-nginx-leader');
    expect(args).toContain('--controller-class=k8s.io/team-a-ingress-nginx');
    expect(args).toContain('--ingress-class=team-a-nginx');
    expect(docs.find(d => d.kind === 'Role' && d.metadata.name === 'team-a-ingress-nginx').rules)
      .toContainEqual({ apiGroups: ['coordination.k8s.io'], resourceNames: ['team-a-ingress-nginx-leader'], resources: ['leases'], verbs: ['get', 'update'] });
  });

  test('two instances claiming one controller class are refused', () => {
    const message = refusal(app => {
      new IngressNginx(new Chart(app, 'a'), 'i');
      new IngressNginx(new Chart(app, 'b'), 'i', { instance: 'other', ingressClass: { controllerValue: 'k8s.io/ingress-nginx' } });
    });
    expect(message).toContain("IngressNginx 'i' (b/i): ingressClass.controllerValue must differ from that of a/i, got \"k8s.io/ingress-nginx\"");
  });
});

describe('namespaces that hide a collision', () => {
  test('an object without a namespace is the one named in default (applied there, one would overwrite the other)', () => {
    const message = refusal(app => {
      new UbuntuDevWorkload(new Chart(app, 'a'), 'dev');
      new UbuntuDevWorkload(new Chart(app, 'b'), 'dev', { namespace: 'default' });
    });
    expect(message).toContain('Deployment default/ubuntu-dev is defined twice, by a/dev/deployment and by b/dev/deployment');
  });

  test('but not one in another namespace', () => {
    expect(() => rendered(c => {
      new UbuntuDevWorkload(c, 'a');
      new UbuntuDevWorkload(c, 'b', { namespace: 'team-a' });
    })).not.toThrow();
  });
});

describe('scopes from data (src/api-scopes.ts), not from a hand-written list', () => {
  const object = (chart: Chart, id: string, apiVersion: string, kind: string, name: string) =>
    new ApiObject(chart, id, { apiVersion, kind, metadata: { name } });

  test('cluster-scoped kinds a hand-written list missed collide whatever namespace their charts stamp on them', () => {
    const message = refusal(app => {
      for (const ns of ['one', 'two']) {
        const chart = new Chart(app, ns, { namespace: ns });
        object(chart, 'vac', 'storage.k8s.io/v1', 'VolumeAttributesClass', 'fast');
        object(chart, 'acp', 'hub.traefik.io/v1alpha1', 'AccessControlPolicy', 'sso');
      }
    });
    expect(message).toContain('VolumeAttributesClass fast is defined twice, by one/vac and by two/vac');
    expect(message).toContain('AccessControlPolicy sso is defined twice, by one/acp and by two/acp');
  });

  test('a kind of the same name in another API group is another object', () => {
    expect(() => rendered(c => {
      object(c, 'core', 'v1', 'Event', 'e');
      object(c, 'events', 'events.k8s.io/v1', 'Event', 'e');
    })).not.toThrow();
  });

  test('a custom resource of yours takes its scope from its CustomResourceDefinition in the app; without one it counts as namespaced', () => {
    const widgets = (app: App) => {
      for (const ns of ['one', 'two']) object(new Chart(app, ns, { namespace: ns }), 'widget', 'example.com/v1', 'Widget', 'w');
    };
    const without = new App({ outdir: '/nonexistent/never-written' });
    widgets(without);
    expect(apiObjectCollisions(without)).toEqual([]);
    const message = refusal(app => {
      new ApiObject(new Chart(app, 'crds'), 'crd', {
        apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
        spec: { group: 'example.com', scope: 'Cluster', names: { kind: 'Widget', plural: 'widgets' }, versions: [] },
      });
      widgets(app);
    });
    expect(message).toContain('Widget w is defined twice, by one/widget and by two/widget');
  });
});

import { App, Chart } from 'cdk8s';
import { SandboxRuntime } from './sandbox-runtime';

/**
 * The objects of one sandbox session with the runtime's defaults (VS Code on, so every kind it can create
 * appears), rendered in a throwaway app. The isolation constructs derive what they grant and select from
 * these, so they follow the runtime instead of repeating it.
 */
export function probeSession(namespace = 'default'): any[] {
  const chart = new Chart(new App({ outdir: '/nonexistent' }), 'probe');
  new SandboxRuntime(chart, 'session', { sid: 'probe', config: { namespace } });
  return chart.toJson();
}

/** The label that marks a Pod as a sandbox (every session's Pod has it), as SandboxRuntime sets it. */
export function sandboxPodSelector(): Record<string, string> {
  const pod = probeSession().find(o => o.kind === 'Pod');
  return { app: pod.metadata.labels.app };
}

/** The container ports of a sandbox Pod by name (`http` is the action server, `vscode` VS Code). */
export function sandboxPorts(): { readonly server: number; readonly vscode: number } {
  const ports: { name?: string; containerPort: number }[] = probeSession().find(o => o.kind === 'Pod').spec.containers[0].ports;
  const byName = (name: string) => ports.find(p => p.name === name)!.containerPort;
  return { server: byName('http'), vscode: byName('vscode') };
}

/**
 * Times the control plane's warm start: kube-apiserver ready, whole control
 * plane ready (default ServiceAccount, every node Ready), and stop(). Several
 * versions of the helper can be compared side by side, in turns (the machine
 * is shared and noisy). bench-start.ts runs it for this version.
 */
import type { ControlPlane, ControlPlaneOptions } from './controlplane';

export type Start = (opts: ControlPlaneOptions) => Promise<ControlPlane>;

interface Sample {
  apiserver: number;
  ready: number;
  stop: number;
}

async function once(start: Start): Promise<Sample> {
  const t0 = Date.now();
  let apiserver = NaN;
  const cp = await start({
    log: (m) => {
      if (m.startsWith('kube-apiserver ready')) apiserver = (Date.now() - t0) / 1000;
    },
  });
  const ready = (Date.now() - t0) / 1000;
  const t1 = Date.now();
  await cp.stop();
  return { apiserver, ready, stop: (Date.now() - t1) / 1000 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function row(name: string, s: Sample): string {
  return `${name.padEnd(8)} apiserver ${s.apiserver.toFixed(2)} s  ready ${s.ready.toFixed(2)} s  stop ${s.stop.toFixed(2)} s`;
}

/** Starts and stops each variant `runs` times, in turns, and prints every run and the medians. */
export async function bench(variants: [string, Start][], runs: number, print = (l: string): unknown => process.stdout.write(`${l}\n`)): Promise<void> {
  const samples = new Map<string, Sample[]>(variants.map(([n]) => [n, []]));
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first, so neither always runs right after the other.
    const order = i % 2 ? [...variants].reverse() : variants;
    for (const [name, start] of order) {
      const s = await once(start);
      samples.get(name)!.push(s);
      print(`run ${i + 1} ${row(name, s)}`);
    }
  }
  for (const [name, ss] of samples) {
    const m = { apiserver: median(ss.map((s) => s.apiserver)), ready: median(ss.map((s) => s.ready)), stop: median(ss.map((s) => s.stop)) };
    print(`median of ${ss.length}: ${row(name, m)}`);
  }
}

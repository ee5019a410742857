#!/usr/bin/env node
// Rewrites the replace block of tools/controlplane/kwok/go.mod so that every
// module kwok shares with the Kubernetes build is used at the Kubernetes
// build's version. Go's build cache then compiles those packages once for
// both builds, instead of a second copy of client-go, k8s.io/api, grpc, ... for
// kwok alone (585 of kwok's 741 packages before, 71 after). The Kubernetes
// build's own versions are never moved: kwok follows them.
//
// `go mod tidy` may then also raise some of kwok's own requirements to those
// versions (never lower them); the build list is what counts.
//
// Run after bumping either pin (see README.md), then `go build` kwok to check it
// still compiles against them:
//   node tools/controlplane/align-kwok.mjs
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const kwokDir = path.join(here, 'kwok');
const BEGIN = '// BEGIN aligned with ../go.mod by align-kwok.mjs: do not edit by hand';
const END = '// END aligned';

// -mod=mod only where we mean to write: kwok's go.mod and go.sum, never the Kubernetes build's.
function go(args, cwd, mod = 'readonly') {
  const r = spawnSync('go', args, { cwd, encoding: 'utf8', env: { ...process.env, GOFLAGS: `-mod=${mod}` } });
  if (r.status !== 0) throw new Error(`go ${args.join(' ')} (in ${cwd}) failed:\n${r.stderr}`);
  return r.stdout;
}

/** module path -> version actually built, replacements applied. */
function buildList(dir, mod) {
  const out = go(['list', '-m', '-f', '{{.Path}} {{with .Replace}}{{.Version}}{{else}}{{.Version}}{{end}}', 'all'], dir, mod);
  return new Map(
    out
      .split('\n')
      .map((l) => l.trim().split(' '))
      .filter((f) => f.length === 2 && f[1]),
  );
}

const gomod = path.join(kwokDir, 'go.mod');
const original = fs.readFileSync(gomod, 'utf8');
// Drop our block first, so kwok's build list is its own again.
const unaligned = original.replace(new RegExp(`\\n?${BEGIN}[\\s\\S]*?${END}\\n`), '\n');
fs.writeFileSync(gomod, unaligned);
try {
  const k8s = buildList(here);
  const kwok = buildList(kwokDir, 'mod');
  const lines = [...kwok]
    .filter(([m, v]) => k8s.has(m) && k8s.get(m) !== v)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([m]) => `\t${m} => ${m} ${k8s.get(m)}`);
  fs.writeFileSync(gomod, `${unaligned.trimEnd()}\n\n${BEGIN}\nreplace (\n${lines.join('\n')}\n)\n${END}\n`);
  go(['mod', 'tidy'], kwokDir, 'mod');
  process.stderr.write(`[align-kwok] ${lines.length} modules of kwok's build now at the Kubernetes build's version\n`);
} catch (e) {
  fs.writeFileSync(gomod, original);
  throw e;
}

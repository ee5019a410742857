/**
 * kwok Stages of our own for drills, on top of kwok's upstream "fast" stages
 * (which build.mjs copies from the pinned kwok module). Each one is opt-in by a
 * pod label and carries a weight: kwok picks among matching stages by weight,
 * and a stage without weight (every upstream fast stage) is left out whenever
 * a weighted one matches, so a labelled pod follows these and nothing else.
 *
 * Written as data and handed to kwok as one more `--config` file at start, so
 * changing a stage does not change the binaries' cache key.
 */

/** Label `'true'`: the pod runs but never becomes Ready (a rollout whose new version stays unready). */
export const NEVER_READY_LABEL = 'kwok.local-hands.dev/never-ready';
/**
 * Label `'true'`: once Ready, the pod's containers crash (exit code 1). With
 * restartPolicy Always or OnFailure they are restarted in place (restartCount + 1,
 * CrashLoopBackOff), come back Ready, and crash again, for as long as the pod lives;
 * with restartPolicy Never the pod ends Failed, as a kubelet leaves it.
 */
export const CONTAINER_RESTART_LABEL = 'kwok.local-hands.dev/container-restart';
/** Annotation: how long a container of a CONTAINER_RESTART_LABEL pod stays Ready before it crashes (Go duration). Default 2s. */
export const CONTAINER_RESTART_AFTER_ANNOTATION = 'kwok.local-hands.dev/restart-after';
/** Annotation: how long it stays in CrashLoopBackOff before it runs again (Go duration). Default 1s. */
export const CONTAINER_BACKOFF_ANNOTATION = 'kwok.local-hands.dev/backoff';

// Any positive weight wins over the weightless upstream stages.
const WEIGHT = 10000;

interface Expression {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

function podStage(name: string, matchExpressions: Expression[], statusTemplate: string, delay?: { ms: number; annotation: string }): object {
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Stage',
    metadata: { name },
    spec: {
      resourceRef: { apiGroup: 'v1', kind: 'Pod' },
      selector: { matchExpressions },
      weight: WEIGHT,
      ...(delay && {
        delay: { durationMilliseconds: delay.ms, durationFrom: { expressionFrom: `.metadata.annotations["${delay.annotation}"]` } },
      }),
      next: { statusTemplate },
    },
  };
}

const labelled = (label: string): Expression => ({ key: `.metadata.labels["${label}"]`, operator: 'In', values: ['true'] });
const notDeleting: Expression = { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' };
const phase = (p: string): Expression => ({ key: '.status.phase', operator: 'In', values: [p] });
const readyCondition = (status: 'True' | 'False'): Expression => ({
  key: '.status.conditions.[] | select( .type == "Ready" ) | .status',
  operator: 'In',
  values: [status],
});

// The addresses a kubelet reports once the sandbox runs; kwok's template functions hand them out.
const ADDRESSES = `
hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}`;

const conditions = (ready: 'True' | 'False'): string => `
conditions:
- lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: Initialized
- lastTransitionTime: {{ $now | Quote }}
  status: "${ready}"
  type: Ready
- lastTransitionTime: {{ $now | Quote }}
  status: "${ready}"
  type: ContainersReady`;

/**
 * The containerStatuses list, an entry per item of `range` (the spec's containers, or the statuses so far)
 * with its image and name, then `fields`.
 */
const containerStatuses = (range: string, fields: string): string => `
containerStatuses:
{{ range ${range} }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
${fields}
{{ end }}`;

// A container that exited with code 1 (under `state:` or `lastState:`).
const EXITED = `    terminated:
      exitCode: 1
      reason: Error
      startedAt: {{ or .state.running.startedAt $now | Quote }}
      finishedAt: {{ $now | Quote }}`;

/** Pending -> Running with every container started but not ready, and it stays so. */
const NEVER_READY_STATUS = `{{ $now := Now }}${conditions('False')}${containerStatuses('.spec.containers', `  ready: false
  started: true
  restartCount: 0
  state:
    running:
      startedAt: {{ $now | Quote }}`)}${ADDRESSES}
phase: Running
startTime: {{ $now | Quote }}
`;

/** Ready -> every container exited with code 1 and waits in CrashLoopBackOff; restartCount counts it. */
const CRASH_STATUS = `{{ $now := Now }}${conditions('False')}${containerStatuses('.status.containerStatuses', `  ready: false
  started: false
  restartCount: {{ add1 .restartCount }}
  lastState:
${EXITED}
  state:
    waiting:
      reason: CrashLoopBackOff
      message: back-off restarting failed container`)}
`;

/** CrashLoopBackOff -> running and Ready again, keeping restartCount and the last termination. */
const RESTARTED_STATUS = `{{ $now := Now }}${conditions('True')}${containerStatuses('.status.containerStatuses', `  ready: true
  started: true
  restartCount: {{ .restartCount }}
  lastState:
{{ YAML .lastState 2 }}
  state:
    running:
      startedAt: {{ $now | Quote }}`)}
`;

/** Ready -> every container exited with code 1, not restarted: the pod is Failed. */
const FAILED_STATUS = `{{ $now := Now }}${conditions('False')}${containerStatuses('.status.containerStatuses', `  ready: false
  started: false
  restartCount: {{ .restartCount }}
  state:
${EXITED}`)}
phase: Failed
`;

const restartable: Expression = { key: '.spec.restartPolicy', operator: 'In', values: ['Always', 'OnFailure'] };
const crashLooping: Expression = {
  key: '.status.containerStatuses.[].state.waiting.reason',
  operator: 'In',
  values: ['CrashLoopBackOff'],
};

/** The stage documents, in the order kwok reads them. */
export const LOCAL_STAGES: readonly object[] = [
  podStage('local-hands-pod-never-ready', [labelled(NEVER_READY_LABEL), notDeleting, phase('Pending')], NEVER_READY_STATUS),
  podStage(
    'local-hands-pod-container-crash',
    [labelled(CONTAINER_RESTART_LABEL), restartable, notDeleting, phase('Running'), readyCondition('True')],
    CRASH_STATUS,
    { ms: 2000, annotation: CONTAINER_RESTART_AFTER_ANNOTATION },
  ),
  podStage(
    'local-hands-pod-container-restarted',
    [labelled(CONTAINER_RESTART_LABEL), restartable, notDeleting, phase('Running'), crashLooping],
    RESTARTED_STATUS,
    { ms: 1000, annotation: CONTAINER_BACKOFF_ANNOTATION },
  ),
  podStage(
    'local-hands-pod-container-exit',
    [labelled(CONTAINER_RESTART_LABEL), { key: '.spec.restartPolicy', operator: 'In', values: ['Never'] }, notDeleting, phase('Running'), readyCondition('True')],
    FAILED_STATUS,
    { ms: 2000, annotation: CONTAINER_RESTART_AFTER_ANNOTATION },
  ),
];

/**
 * For a harness that plays the kubelet's readiness probe itself (the data plane, whose backends start after kwok
 * gives the pod its IP): every pod not labelled for a drill starts running, with its IP, but not Ready, and stays so
 * until the harness marks it Ready (a status patch) once something answers at that IP. Without it kwok marks pods
 * Ready at once, and a controller could route to an address where nothing listens yet, which a kubelet never allows.
 */
export const READY_WHEN_SERVED_STAGE: object = podStage('local-hands-pod-ready-when-served', [
  { key: `.metadata.labels["${NEVER_READY_LABEL}"]`, operator: 'DoesNotExist' },
  { key: `.metadata.labels["${CONTAINER_RESTART_LABEL}"]`, operator: 'DoesNotExist' },
  notDeleting, phase('Pending'),
], NEVER_READY_STATUS);

/** The stages (and `extra` ones) as one multi-document file kwok reads with `--config` (JSON is YAML). */
export function localStagesYaml(extra: readonly object[] = []): string {
  return [...LOCAL_STAGES, ...extra].map((s) => JSON.stringify(s, null, 2)).join('\n---\n') + '\n';
}

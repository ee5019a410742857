import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { propSpec, resolveProps } from '../../src/props';
import {
  INDICATORS, INDICATOR_IDS, INDICATOR_ROWS, IndicatorId, IndicatorProps, ResolvedIndicators,
  alertExpr, formatThreshold, resolvedIndicators,
} from './monitoring-indicators';

/** One alerting rule of a Prometheus rule group. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** A Prometheus rule group: what a rule file's `groups` and a PrometheusRule's `spec.groups` hold. */
export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertingRule[];
}

export interface OpenHandsAlertsProps extends IndicatorProps {
  /** Name of the PrometheusRule. @default 'openhands-alerts' */
  readonly name?: string;
  /** Namespace of the PrometheusRule. @default 'monitoring' */
  readonly namespace?: string;
  /**
   * Labels your Prometheus selects rules by (its `ruleSelector`).
   * @default { release: 'kube-prometheus-stack' } (what kube-prometheus-stack's Prometheus selects)
   */
  readonly labels?: Readonly<Record<string, string>>;
}

const PROPS = propSpec<OpenHandsAlertsProps>()('OpenHandsAlerts', {
  name: { default: 'openhands-alerts', check: (p, f, v) => p.dnsSubdomain(f, v) },
  namespace: { default: 'monitoring', check: (p, f, v) => p.dnsLabel(f, v) },
  labels: { default: { release: 'kube-prometheus-stack' }, check: (p, f, v) => p.labels(f, v) },
  ...INDICATOR_ROWS,
});

/**
 * The guide's six alerts as a Prometheus Operator `PrometheusRule`: sandbox CPU, memory and workspace
 * volume use, sandbox pod readiness, and the ingress controller's response time and success rate.
 * Each alert's annotations say what to run next.
 */
export class OpenHandsAlerts extends Construct {
  /** The PrometheusRule. */
  public readonly prometheusRule: ApiObject;
  /** Its rule groups, as a Prometheus rule file holds them (`promtool check rules` reads `{ groups }`). */
  public readonly groups: readonly RuleGroup[];
  /** Thresholds, durations and scope after defaults. */
  public readonly indicators: ResolvedIndicators;

  constructor(scope: Construct, id: string, props: OpenHandsAlertsProps = {}) {
    super(scope, id);
    const { name, namespace, labels, ...v } = resolveProps(this, props, PROPS);
    const indicators = resolvedIndicators(v);
    this.indicators = indicators;
    this.groups = renderGroups(indicators);
    this.prometheusRule = new ApiObject(this, 'rule', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name, namespace, labels: { ...labels } },
      spec: { groups: this.groups },
    });
  }
}

function renderGroups(r: ResolvedIndicators): RuleGroup[] {
  const group = (g: 'sandbox' | 'ingress'): RuleGroup => ({
    name: `openhands-${g}`,
    rules: INDICATOR_IDS.filter(id => INDICATORS[id].group === g).map(id => renderRule(id, r)),
  });
  return [group('sandbox'), group('ingress')];
}

function renderRule(id: IndicatorId, r: ResolvedIndicators): AlertingRule {
  const ind = INDICATORS[id];
  return {
    alert: ind.alert,
    expr: alertExpr(id, r.scope, r.thresholds[id]),
    for: r.for[id],
    labels: { severity: ind.severity, indicator: id },
    annotations: {
      summary: ind.summary(r.scope),
      description: ind.description(r.scope, formatThreshold(id, r.thresholds[id]), r.for[id]),
    },
  };
}

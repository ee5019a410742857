import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { GrafanaDashboard, GrafanaDashboardProps } from '../../constructs/monitoring/grafana-dashboard';
import { INDICATORS, INDICATOR_IDS, IndicatorId, ResolvedIndicators } from '../../constructs/monitoring/monitoring-indicators';
import { OpenHandsAlerts } from '../../constructs/monitoring/openhands-alerts';
import { checkRules, testRules } from '../../tools/promtool/promtool';
import { prometheusDurationMs } from '../../src/prometheus-duration';
import { find, synthChart } from '../util';
import { IndicatorCase, indicatorCases, minutes, renderTemplate, statusSeries } from './indicator-series';

const CONFIGS: Record<string, GrafanaDashboardProps> = {
  'defaults (ingress-nginx)': {},
  'Traefik': { ingressController: 'traefik' },
  'every indicator prop': {
    sandboxNamespace: 'sandboxes',
    thresholds: { cpu: 0.9, memory: 0.7, storage: 0.5, podReadiness: 1, responseTime: 2.5, successRate: 0.995 },
    for: { cpu: '10m', memory: '2m', storage: '1h', podReadiness: '30m', responseTime: '90s', successRate: '0' },
    rateWindow: '2m',
  },
};

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'local-hands-promtool-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function writeYaml(file: string, data: unknown): string {
  // Double-quoted strings: promtool's YAML reader would take a plain `0x15` (a series value) for a number.
  fs.writeFileSync(file, stringify(data, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 }));
  return file;
}

interface RuleFiles { alerts: string; dashboard: string; indicators: ResolvedIndicators }

/** The PrometheusRule's groups as a rule file, and the dashboard's panel queries as recording rules. */
function ruleFiles(name: string, props: GrafanaDashboardProps): RuleFiles {
  let dashboard!: GrafanaDashboard;
  const docs = synthChart(c => { new OpenHandsAlerts(c, 'alerts', props); dashboard = new GrafanaDashboard(c, 'dashboard', props); });
  const dir = fs.mkdtempSync(path.join(work, `${name.replace(/\W+/g, '-')}-`));
  const panels = JSON.parse(find(docs, 'ConfigMap').data['openhands.json']).panels;
  const recording = INDICATOR_IDS.map(id => {
    const panel = panels.find((p: any) => p.title === INDICATORS[id].title);
    return { record: INDICATORS[id].record, expr: panel.targets[0].expr };
  });
  return {
    alerts: writeYaml(path.join(dir, 'alerts.rules.yaml'), find(docs, 'PrometheusRule').spec),
    dashboard: writeYaml(path.join(dir, 'dashboard.rules.yaml'), { groups: [{ name: 'openhands-dashboard', rules: recording }] }),
    indicators: dashboard.indicators,
  };
}

function runTests(files: RuleFiles, label: string, cases: readonly IndicatorCase[]) {
  const file = writeYaml(path.join(path.dirname(files.alerts), `${label}.test.yaml`), {
    rule_files: [path.basename(files.alerts), path.basename(files.dashboard)],
    evaluation_interval: '1m',
    tests: cases.map(c => ({ name: c.name, interval: '1m', input_series: c.input_series, alert_rule_test: c.alert_rule_test, promql_expr_test: c.promql_expr_test })),
  });
  return testRules(file);
}

for (const [name, props] of Object.entries(CONFIGS)) {
  describe(`promtool, ${name}`, () => {
    const files = ruleFiles(name, props);

    test('check rules accepts every rule group the PrometheusRule emits', () => {
      const r = checkRules(files.alerts);
      expect(r.stdout + r.stderr).toContain('SUCCESS: 6 rules found');
      expect(r.code).toBe(0);
    });

    test('check rules accepts the dashboard queries as recording rules', () => {
      const r = checkRules(files.dashboard);
      expect(r.stdout + r.stderr).toContain('SUCCESS: 6 rules found');
      expect(r.code).toBe(0);
    });

    test.each(INDICATOR_IDS)('%s: fires just past its threshold after its for:, never just inside; the panel reads the same value', (id: IndicatorId) => {
      const r = runTests(files, id, indicatorCases(id, files.indicators));
      expect(r.stdout + r.stderr, r.stdout + r.stderr).toContain('SUCCESS');
      expect(r.code).toBe(0);
    });
  });
}

describe('promtool, edge cases and controls', () => {
  const files = ruleFiles('edge', {});
  const scope = files.indicators.scope;

  test('an ingress whose every request fails fires the success-rate alert (there is no non-5xx series at all)', () => {
    const ind = INDICATORS.successRate;
    const labels = { ingress: 'openhands' };
    const r = runTests(files, 'all-failing', [{
      name: 'all requests 503',
      input_series: statusSeries(scope, [['503', 1]], 20),
      alert_rule_test: [{
        eval_time: minutes(6 * 60_000),
        alertname: ind.alert,
        exp_alerts: [{
          exp_labels: { ...labels, severity: ind.severity, indicator: 'successRate' },
          exp_annotations: {
            summary: renderTemplate(ind.summary(scope), labels, 0),
            description: renderTemplate(ind.description(scope, '99%', '5m'), labels, 0),
          },
        }],
      }],
      promql_expr_test: [{ expr: ind.record, eval_time: '6m', exp_samples: [{ labels: `${ind.record}{ingress="openhands"}`, value: 0 }] }],
    }]);
    expect(r.stdout + r.stderr, r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  test('no traffic is no alert (0/0 is NaN, which compares false)', () => {
    const r = runTests(files, 'idle', [{
      name: 'idle ingress',
      input_series: statusSeries(scope, [['200', 0], ['503', 0]], 20),
      alert_rule_test: [
        { eval_time: '15m', alertname: INDICATORS.successRate.alert, exp_alerts: [] },
        { eval_time: '15m', alertname: INDICATORS.responseTime.alert, exp_alerts: [] },
      ],
      promql_expr_test: [],
    }]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  test('the generated tests fail against rules one margin off the threshold or one minute off the for:', () => {
    const shifted = ruleFiles('shifted', { thresholds: { cpu: 0.81, podReadiness: 0.94 }, for: { storage: '6m' } });
    const expected = files.indicators; // the cases still expect the defaults
    for (const id of ['cpu', 'podReadiness', 'storage'] as const) {
      const r = runTests(shifted, `control-${id}`, indicatorCases(id, expected));
      expect(r.code, `${id} should fail`).not.toBe(0);
      expect(r.stdout + r.stderr).toContain(INDICATORS[id].alert);
    }
  });
});

describe("Prometheus' duration range, as the constructs check it", () => {
  test.each([['106751d', true], ['292y', true], ['106752d', false], ['293y', false]])('for: %s accepted by promtool: %s, and by the constructs alike', (duration, ok) => {
    const file = writeYaml(path.join(work, `range-${duration}.rules.yaml`), { groups: [{ name: 'range', rules: [{ alert: 'Range', expr: 'vector(1)', for: duration, labels: { severity: 'warning' }, annotations: { summary: 'range' } }] }] });
    const r = checkRules(file);
    expect(r.code === 0, r.stdout + r.stderr).toBe(ok);
    if (!ok) expect(r.stdout + r.stderr).toMatch(/out of range|overflow/);
    expect(prometheusDurationMs(duration) !== undefined).toBe(ok);
  });
});

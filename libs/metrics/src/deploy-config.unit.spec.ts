import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterServices } from '@agent-orchestrator/cluster';
import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';
import { metricNames } from './families.js';
import { PlatformMetrics } from './platform-metrics.js';

const deploy = join(import.meta.dirname, '../../../deploy');
const dashboard = JSON.parse(readFileSync(join(deploy, 'grafana/dashboards/agent-orchestrator.json'), 'utf8')) as {
  panels: { type: string; targets?: { expr: string }[] }[];
  templating: { list: { query: { query: string } }[] };
};
const scrapeConfig = parseYaml(readFileSync(join(deploy, 'prometheus/prometheus.yml'), 'utf8')) as {
  scrape_configs: { job_name: string; static_configs: { targets: string[] }[]; metric_relabel_configs?: { source_labels: string[]; regex: string }[] }[];
};

/** The series names a registry exposes: a histogram as its _bucket, _sum and _count series. */
async function exposedSeries(): Promise<Set<string>> {
  const metrics = new PlatformMetrics({ processMetrics: true });
  metrics.setRecording(true);
  const families = await metrics.registry.getMetricsAsJSON();
  return new Set(families.flatMap(({ name, type }) => (String(type) === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name])));
}

/** The metric names a PromQL expression selects, parsed with Prometheus's own PromQL grammar; a syntax error fails. */
function selectedMetrics(expr: string): string[] {
  // Grafana's interval variables are not PromQL: put a duration where they stand.
  const promql = expr.replaceAll('$__rate_interval', '5m');
  const names: string[] = [];
  const errors: string[] = [];
  parser.parse(promql).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`${expr}: syntax error at ${node.from}`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.push(promql.slice(node.from, node.to));
    },
  });
  expect(errors).toEqual([]);
  return names;
}

const dashboardQueries = () => [
  ...dashboard.panels.flatMap((panel) => panel.targets?.map((target) => target.expr) ?? []),
  // label_values(metric, label) is Grafana's: its first argument is a selector.
  ...dashboard.templating.list.map((variable) => /^label_values\(([^,]+),/.exec(variable.query.query)![1]!),
];

describe('deploy/: the Grafana dashboard and the Prometheus scrape config', () => {
  it("queries only metrics the registry exposes, in valid PromQL, and shows every one of the platform's families", async () => {
    const exposed = await exposedSeries();
    const used = dashboardQueries().flatMap(selectedMetrics);
    expect(used.length).toBeGreaterThan(20);
    expect(used.filter((name) => !exposed.has(name))).toEqual([]);
    const families = Object.values(metricNames);
    expect(families.filter((family) => !used.some((name) => name === family || name.startsWith(`${family}_`)))).toEqual([]);
  });

  it('scrapes every service of cluster mode under its own job, and dev mode', () => {
    const jobs = scrapeConfig.scrape_configs.map((job) => job.job_name);
    expect([...jobs].sort()).toEqual([...clusterServices, 'dev-mode'].sort());
    for (const job of scrapeConfig.scrape_configs) expect(job.static_configs.flatMap((config) => config.targets)).toHaveLength(1);
  });

  it('names only metrics the registry exposes in its relabelling rules', async () => {
    const exposed = await exposedSeries();
    const named = scrapeConfig.scrape_configs.flatMap((job) => (job.metric_relabel_configs ?? []).filter((rule) => rule.source_labels.includes('__name__')).flatMap((rule) => rule.regex.split('|')));
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((name) => !exposed.has(name))).toEqual([]);
  });
});

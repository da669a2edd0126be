import { Readable } from 'node:stream';
import { getMetricsFromStream, type PromHistogramData, type PromMetric, type PromMetrics } from 'prom2javascript';

export type { PromMetric, PromMetrics };

/** Parses an exposition in the Prometheus text format with a Prometheus text-format parser. */
export function parseMetrics(text: string): Promise<PromMetrics> {
  return getMetricsFromStream(Readable.from([text]));
}

/** Scrapes `url` (a process's /metrics) and parses it. */
export async function scrapeMetrics(url: string): Promise<PromMetrics> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.startsWith('text/plain')) throw new Error(`GET ${url} answered ${contentType}, not the Prometheus text format`);
  return parseMetrics(await response.text());
}

type Sample = PromMetric['data'][number];
const matches = (sample: Sample, where: Readonly<Record<string, string>>) => Object.entries(where).every(([label, value]) => sample.labels[label] === value);

/** Sums a counter's or gauge's samples, or a histogram's sums, over the series whose labels include `where`. */
export function sumOf(family: PromMetric | undefined, where: Readonly<Record<string, string>> = {}): number {
  return (family?.data ?? []).filter((sample: Sample) => matches(sample, where)).reduce((total: number, sample: Sample) => total + ('buckets' in sample ? (sample.sum ?? 0) : 'value' in sample ? sample.value : 0), 0);
}

/** A histogram's observation count over the series whose labels include `where`. */
export function countOf(family: PromMetric | undefined, where: Readonly<Record<string, string>> = {}): number {
  return (family?.data ?? []).filter((sample: Sample) => matches(sample, where)).reduce((total: number, sample: Sample) => total + ((sample as PromHistogramData).count ?? 0), 0);
}

/** Every label value of a family's series, by label name. */
export function labelValues(family: PromMetric | undefined): Map<string, Set<string>> {
  const values = new Map<string, Set<string>>();
  for (const sample of family?.data ?? []) {
    for (const [label, value] of Object.entries(sample.labels)) {
      if (!values.has(label)) values.set(label, new Set());
      values.get(label)!.add(value);
    }
  }
  return values;
}

import { Presets, SingleBar } from 'cli-progress';

export type Side = 'ours' | 'raw';
export interface Pair {
  readonly ours: number;
  readonly raw: number;
}

/** A progress bar on stderr, so `--json` output on stdout stays clean. */
export function progressBar(title: string, total: number): SingleBar {
  const bar = new SingleBar({ format: `${title} [{bar}] {value}/{total} {phase}`, stream: process.stderr, hideCursor: true }, Presets.shades_classic);
  bar.start(total, 0, { phase: '' });
  return bar;
}

/**
 * Measures both sides in alternating rounds (who goes first swaps each round) after one
 * unrecorded warm-up round each, so drift on a shared machine hits both alike. Each side's
 * figure is the median of its rounds.
 */
export async function alternate(rounds: number, bar: SingleBar, phase: string, measure: (side: Side) => Promise<number>): Promise<Pair> {
  const samples: Record<Side, number[]> = { ours: [], raw: [] };
  await measure('ours');
  await measure('raw');
  for (let r = 0; r < rounds; r++) {
    const order: Side[] = r % 2 === 0 ? ['ours', 'raw'] : ['raw', 'ours'];
    for (const side of order) samples[side].push(await measure(side));
    bar.increment(1, { phase });
  }
  return { ours: median(samples.ours), raw: median(samples.raw) };
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('no samples');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A scripted session of three steps, each on the one before: what the step-overhead benches run. */
export const threeSteps = {
  turns: [
    {
      agent: 'Planner',
      output: {
        steps: [
          { stepId: 'a', title: 'a', agent: 'Executor', dependsOn: [] },
          { stepId: 'b', title: 'b', agent: 'Executor', dependsOn: ['a'] },
          { stepId: 'c', title: 'c', agent: 'Executor', dependsOn: ['b'] },
        ],
      },
    },
    { agent: 'Executor', text: 'done' },
  ],
};

import { spawn, type ChildProcess } from 'node:child_process';

export interface RunningFixture {
  readonly child: ChildProcess;
  output(): string;
  /** SIGKILL, as in a crash: no shutdown hooks run. */
  kill(): Promise<void>;
  /** Resolves with the exit code. */
  exited(): Promise<number | null>;
}

/**
 * Runs a TypeScript fixture as its own Node process (the same Node as the tests), for specs that
 * kill a consumer, a relay or a service mid-work.
 */
export function spawnFixture(script: string, env: Record<string, string>): RunningFixture {
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exit;
    },
    exited: () => exit,
  };
}

/**
 * npm run kafka -- start|stop|status
 *
 * A single-node Kafka (KRaft) for cluster mode on this machine, from Apache Kafka's Maven Central
 * jars (fetched once into .tools/kafka; needs Java 17+ and Maven). Data lives in .data/kafka and
 * survives restarts; `start --reset` wipes it. Point services at it with the printed
 * KAFKA_BROKERS. To use an existing cluster instead, set KAFKA_BROKERS and skip this.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startLocalKafka } from '@agent-orchestrator/local-kafka';
import { Command } from 'commander';

const dataDir = join(process.cwd(), '.data', 'kafka');
const pidFile = join(dataDir, 'broker.pid');
const program = new Command().name('npm run kafka --');

program
  .command('start')
  .description('start the broker in the background and wait until it is ready')
  .option('--port <port>', 'broker port', (v) => Number.parseInt(v, 10), Number(process.env.KAFKA_PORT ?? 19092))
  .option('--reset', 'wipe the broker data first')
  .action(async ({ port, reset }: { port: number; reset?: boolean }) => {
    const running = await runningPid();
    if (running) {
      console.log(`Kafka is already running (pid ${running}). Stop it with: npm run kafka -- stop`);
      return;
    }
    const kafka = await startLocalKafka({ dataDir, port, reset, detached: true, log: (line) => console.log(line) });
    console.log(`\nexport KAFKA_BROKERS=${kafka.brokers.join(',')}`);
  });

program
  .command('stop')
  .description('stop the broker (controlled shutdown)')
  .action(async () => {
    const pid = await runningPid();
    if (!pid) {
      console.log('Kafka is not running.');
      return;
    }
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 60_000;
    while (alive(pid)) {
      if (Date.now() > deadline) {
        process.kill(pid, 'SIGKILL');
        console.log(`Kafka (pid ${pid}) did not stop within 60 s; killed.`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await rm(pidFile, { force: true });
    console.log(`Kafka (pid ${pid}) stopped.`);
  });

program
  .command('status')
  .description('say whether the broker runs')
  .action(async () => {
    const pid = await runningPid();
    console.log(pid ? `Kafka is running (pid ${pid}); log: ${join(dataDir, 'broker.log')}` : 'Kafka is not running.');
    process.exitCode = pid ? 0 : 3;
  });

await program.parseAsync();

async function runningPid(): Promise<number | undefined> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  return pid > 0 && alive(pid) ? pid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

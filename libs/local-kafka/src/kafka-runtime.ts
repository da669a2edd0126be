import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repo's root, found from this file: libs/local-kafka/src. */
export const repoRoot = join(import.meta.dirname, '..', '..', '..');
const pomDir = join(repoRoot, 'deploy', 'kafka');

/**
 * The broker's runtime classpath, fetched once from Maven Central by `mvn
 * dependency:copy-dependencies` on deploy/kafka/pom.xml and cached under .tools/kafka/<pom hash>,
 * so changing the pom (a new Kafka version) fetches again. Needs Java 17+ and Maven.
 */
export async function ensureKafkaRuntime(log: (line: string) => void = () => undefined): Promise<string> {
  const pom = await readFile(join(pomDir, 'pom.xml'));
  const key = createHash('sha256').update(pom).digest('hex').slice(0, 12);
  const libDir = join(repoRoot, '.tools', 'kafka', key, 'lib');
  if (await exists(join(libDir, '.complete'))) return libDir;

  await checkTool('java', ['-version'], 'Java 17 or later');
  await checkTool('mvn', ['-v'], 'Apache Maven');
  log(`Fetching Kafka's jars from Maven Central into ${libDir} (once) ...`);
  const staging = `${libDir}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    await run('mvn', ['-q', '-B', '-f', join(pomDir, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`, '-DincludeScope=runtime'], {
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const output = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
    throw new Error(`fetching Kafka from Maven Central failed (mvn dependency:copy-dependencies on deploy/kafka/pom.xml):\n${output.slice(-2000)}`);
  }
  const jars = (await readdir(staging)).filter((f) => f.endsWith('.jar'));
  if (!jars.some((j) => j.startsWith('kafka_2.13-'))) throw new Error(`the fetched classpath in ${staging} has no kafka_2.13 jar`);
  await writeFile(join(staging, '.complete'), jars.join('\n'));
  await rm(libDir, { recursive: true, force: true });
  await mkdir(join(libDir, '..'), { recursive: true });
  await rename(staging, libDir);
  return libDir;
}

export const log4jConfig = join(pomDir, 'log4j2.properties');

async function checkTool(command: string, args: string[], what: string): Promise<void> {
  try {
    await run(command, args);
  } catch {
    throw new Error(`running Kafka locally needs ${what} on PATH ("${command}" was not found); or set KAFKA_BROKERS to an existing cluster`);
  }
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * The deployment artefacts (README, "Deploying"): the root Dockerfile, docker-compose.yml and the
 * Helm chart under deploy/helm, checked with what runs on these machines.
 *
 * - docker-compose.yml: Debian's `docker-compose` 1.29 validates it (`config -q`, no daemon
 *   needed); each service's configuration, as compose resolves it, is accepted by that service's
 *   own start-up parsers.
 * - The chart: `helm lint --strict` and `helm template` with the `helm` binary where it is on
 *   PATH, else with helm-java (Helm's Go library as a native library, from Maven Central; said
 *   with a warning); every rendered manifest validated against the Kubernetes OpenAPI schemas
 *   (kubernetes-models). values.yaml against values.schema.json with ajv.
 * - The Dockerfile: no engine runs here, so its targets are checked against the services, and the
 *   compiled code its build stage makes (scripts/build-dist.ts) is started on plain Node, with no
 *   TypeScript loader, against the test PostgreSQL and Kafka.
 *
 * Under CI (CI=true) a missing docker-compose, java or mvn fails the spec; elsewhere it warns,
 * naming what did not run.
 */
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parseAgentRuntimeConfig } from '@agent-orchestrator/agent-runtime';
import { parseApprovalsConfig } from '@agent-orchestrator/approvals';
import { parseAuditConfig } from '@agent-orchestrator/audit';
import { parseGatewayConfig } from '@agent-orchestrator/gateway';
import { parseObservabilityConfig } from '@agent-orchestrator/observability';
import { parseOrchestratorConfig } from '@agent-orchestrator/orchestrator';
import { parseReplayConfig } from '@agent-orchestrator/replay';
import { parsePlatformConfig } from '@agent-orchestrator/service-host';
import { createTestDatabase, testBrokers, uniqueTopicPrefix, waitFor } from '@agent-orchestrator/testing';
import { parseToolAdaptersConfig } from '@agent-orchestrator/tool-adapters';
import { Ajv } from 'ajv';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { buildDist } from '../scripts/build-dist.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const chartDir = join(root, 'deploy/helm/agent-orchestrator');
const inCi = process.env.CI === 'true';

/** The services: every services/<name> with a main.ts. */
const services = readdirSync(join(root, 'services')).filter((name) => existsSync(join(root, 'services', name, 'src', 'main.ts')));
/** The relay's own entry, when the orchestrator has one. */
const relayEntry = existsSync(join(root, 'services/orchestrator/src/relay-main.ts'));

/** Each service's own configuration parser, as its main.ts calls it (policy has none). */
const serviceParsers: Record<string, ((env: Record<string, string | undefined>) => unknown) | undefined> = {
  orchestrator: parseOrchestratorConfig,
  relay: undefined,
  'agent-runtime': parseAgentRuntimeConfig,
  policy: undefined,
  approvals: parseApprovalsConfig,
  'tool-adapters': parseToolAdaptersConfig,
  audit: parseAuditConfig,
  replay: parseReplayConfig,
  observability: parseObservabilityConfig,
  gateway: parseGatewayConfig,
};

async function onPath(command: string): Promise<boolean> {
  return run('sh', ['-c', `command -v ${command}`]).then(
    () => true,
    () => false,
  );
}

/** A tool the check needs: fails under CI, else warns (naming what did not run) and answers false. */
async function need(command: string, what: string): Promise<boolean> {
  if (await onPath(command)) return true;
  const message = `${command} is not on PATH: ${what} did NOT run (.ci/run installs it; apt-get install ${({ 'docker-compose': 'docker-compose', nginx: 'nginx', mvn: 'maven' } as Record<string, string>)[command] ?? 'openjdk-17-jre-headless'})`;
  if (inCi) throw new Error(message);
  console.warn(`NOT RUN: ${message}`);
  return false;
}

/** The Dockerfile's stages: `FROM <image> AS <name>` → name → the CMD's script (when it has one). */
function dockerfileTargets(): Map<string, string | undefined> {
  const targets = new Map<string, string | undefined>();
  let current: string | undefined;
  for (const line of readFileSync(join(root, 'Dockerfile'), 'utf8').split('\n')) {
    const from = /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(line);
    if (from) {
      current = from[1]!;
      targets.set(current, undefined);
    }
    const cmd = /^CMD\s+\["node",\s*"([^"]+)"\]/.exec(line);
    if (cmd && current) targets.set(current, cmd[1]);
  }
  return targets;
}

const composeEnv = { ...process.env, BOOTSTRAP_ADMIN_API_KEY: 'compose-spec-key-0123456789abcdefghij' };

describe('the Dockerfile', () => {
  test('has a target per service, the relay and the console, each running its compiled main, as the unprivileged user', () => {
    const targets = dockerfileTargets();
    for (const service of services) expect([service, targets.get(service)]).toEqual([service, `services/${service}/src/main.js`]);
    expect(targets.get('relay')).toBe('services/orchestrator/src/relay-main.js');
    expect(targets.has('console')).toBe(true);
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK /m);
  });

  test('its build stage\'s output (scripts/build-dist.ts) runs a service on plain Node, with no TypeScript loader', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ao-dist-'));
    const database = await createTestDatabase('deploy_dist');
    let child: ReturnType<typeof spawn> | undefined;
    try {
      expect(await buildDist(out)).toBeGreaterThan(100);
      expect(existsSync(join(out, 'services/orchestrator/src/main.js'))).toBe(true);
      if (relayEntry) expect(existsSync(join(out, 'services/orchestrator/src/relay-main.js'))).toBe(true);
      expect(readdirSync(join(out, 'libs/tools/src')).some((file) => file.endsWith('.ts'))).toBe(false);
      // node_modules as the runtime image has it: the packages, and the workspace links pointing at the compiled code.
      mkdirSync(join(out, 'node_modules/@agent-orchestrator'), { recursive: true });
      for (const entry of readdirSync(join(root, 'node_modules'))) {
        if (entry !== '@agent-orchestrator' && entry !== '.bin') symlinkSync(join(root, 'node_modules', entry), join(out, 'node_modules', entry));
      }
      for (const group of ['libs', 'services']) {
        for (const name of readdirSync(join(out, group))) symlinkSync(join(out, group, name), join(out, 'node_modules/@agent-orchestrator', name));
      }
      writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'module', private: true }));
      let output = '';
      child = spawn(process.execPath, [join(out, 'services/orchestrator/src/main.js')], {
        cwd: out,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url, KAFKA_BROKERS: testBrokers().join(','), TOPIC_PREFIX: uniqueTopicPrefix('deploy'), HEALTH_PORT: '0', LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (data) => (output += data));
      child.stderr!.on('data', (data) => (output += data));
      const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
      const started = waitFor('the compiled orchestrator to say it started', () => /"healthUrl":"([^"]+)".*"msg":"orchestrator started"/.exec(output)?.[1], { timeoutMs: 90_000, intervalMs: 100 });
      let up = false;
      const healthUrl = await Promise.race([
        started.then((url) => ((up = true), url)),
        exited.then((code) => {
          if (!up) throw new Error(`the compiled orchestrator exited with ${code} before it started:\n${output.slice(-3000)}`);
          return '';
        }),
      ]);
      expect((await fetch(`${healthUrl}/healthz`)).status).toBe(200);
      const readiness = await waitFor('/readyz to answer 200', async () => ((await fetch(`${healthUrl}/readyz`)).status === 200 ? true : undefined), { timeoutMs: 30_000, intervalMs: 200 });
      expect(readiness).toBe(true);
      expect(output).not.toMatch(/swc|ERR_UNKNOWN_FILE_EXTENSION|Cannot find module/);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toContain('orchestrator stopped');

      // The gateway compiles tool documents in a worker thread: compiled, the worker is JavaScript too and runs without a loader.
      const document = { openapi: '3.0.3', info: { title: 'crm', version: '1' }, servers: [{ url: 'https://crm.example.com' }], paths: { '/customers/{id}': { get: { operationId: 'getCustomer', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'ok' } } } } } };
      const script = `import { ToolCompiler } from '@agent-orchestrator/tools'; const compiler = new ToolCompiler(); const { compiled } = await compiler.compile({ input: ${JSON.stringify(JSON.stringify(document))} }); console.log(JSON.stringify(compiled.operations.map((o) => o.name))); await compiler.close();`;
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: out, env: { PATH: process.env.PATH ?? '' } });
      expect(JSON.parse(stdout.trim())).toEqual(['getCustomer']);
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await database.drop();
      rmSync(out, { recursive: true, force: true });
    }
  });
});

/** A free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the console target's nginx", () => {
  test('accepts its configuration (nginx -t) and serves pages, hashed assets and its health path under the security headers, the API proxied', async () => {
    if (!(await need('nginx', "`nginx -t` on the console's configuration (deploy/console/default.conf.template)"))) return;
    const dir = mkdtempSync(join(tmpdir(), 'ao-nginx-'));
    // nginx started as root serves files as its worker user (nobody): the directory must be readable.
    chmodSync(dir, 0o755);
    const port = await freePort();
    const upstream = createServer((request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ proxied: request.url })));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    try {
      const template = readFileSync(join(root, 'deploy/console/default.conf.template'), 'utf8');
      // What the image's entrypoint does with GATEWAY_URL (envsubst of the templates), and its paths moved under `dir`.
      const site = template
        .replaceAll('${GATEWAY_URL}', `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`)
        .replace('listen 8080;', `listen 127.0.0.1:${port};`)
        .replace('/usr/share/nginx/html', join(dir, 'html'));
      mkdirSync(join(dir, 'html/assets'), { recursive: true });
      mkdirSync(join(dir, 'logs'));
      writeFileSync(join(dir, 'html/index.html'), '<!doctype html><title>console</title>');
      writeFileSync(join(dir, 'html/assets/app-1234.js'), 'console.log(1)');
      writeFileSync(join(dir, 'site.conf'), site);
      writeFileSync(
        join(dir, 'nginx.conf'),
        `daemon off;\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/logs/error.log;\nevents { worker_connections 64; }\nhttp {\n  types { text/html html; application/javascript js; }\n  access_log off;\n  include ${dir}/site.conf;\n}\n`,
      );
      await run('nginx', ['-t', '-q', '-p', dir, '-c', join(dir, 'nginx.conf')]);
      const nginx = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
      const stopped = new Promise((resolve) => nginx.once('exit', resolve));
      try {
        const base = `http://127.0.0.1:${port}`;
        await waitFor('nginx to answer', async () => (await fetch(`${base}/console-healthz`)).ok || undefined, { timeoutMs: 10_000, intervalMs: 100 });
        const page = await fetch(`${base}/sessions/abc`, { headers: { accept: 'text/html' } });
        expect([page.status, await page.text()]).toEqual([200, '<!doctype html><title>console</title>']);
        expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
        expect(page.headers.get('cache-control')).toBe('no-cache');
        const asset = await fetch(`${base}/assets/app-1234.js`);
        expect(asset.status).toBe(200);
        expect(asset.headers.get('cache-control')).toMatch(/max-age=\d{7,}/);
        expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
        expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
        expect(await (await fetch(`${base}/v1/sessions?limit=1`)).json()).toEqual({ proxied: '/v1/sessions?limit=1' });
        expect(await (await fetch(`${base}/docs/json`)).json()).toEqual({ proxied: '/docs/json' });
      } finally {
        nginx.kill('SIGTERM');
        await stopped;
      }
    } finally {
      await new Promise((resolve) => upstream.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('docker-compose.yml', () => {
  test('docker-compose validates it; every build target is in the Dockerfile; every service is there with health checks and the configuration its parsers accept', async () => {
    if (!(await need('docker-compose', '`docker-compose config` on docker-compose.yml'))) return;
    const file = join(root, 'docker-compose.yml');
    await run('docker-compose', ['-f', file, 'config', '-q'], { env: composeEnv, cwd: root });
    // The bootstrap admin key is required: without it compose refuses, naming it.
    const missing = await run('docker-compose', ['-f', file, 'config', '-q'], { env: { ...process.env, BOOTSTRAP_ADMIN_API_KEY: '' }, cwd: root }).then(
      () => 'accepted',
      (error: { stderr?: string }) => error.stderr ?? '',
    );
    expect(missing).toContain('BOOTSTRAP_ADMIN_API_KEY');

    const { stdout } = await run('docker-compose', ['-f', file, 'config'], { env: composeEnv, cwd: root });
    const compose = parseYaml(stdout) as {
      services: Record<string, { build?: { target?: string }; image?: string; healthcheck?: unknown; depends_on?: Record<string, { condition: string }>; environment?: Record<string, string> }>;
    };
    const targets = dockerfileTargets();
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.build) expect([name, targets.has(service.build.target ?? '')]).toEqual([name, true]);
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(compose.services[dependency]).toBeDefined();
        // A service waited for as healthy has a health check, its own or its image's (the Dockerfile's HEALTHCHECK).
        if (condition === 'service_healthy') expect([dependency, Boolean(compose.services[dependency]!.healthcheck ?? compose.services[dependency]!.build)]).toEqual([dependency, true]);
      }
    }
    for (const infrastructure of ['kafka', 'postgres', 'kurrentdb', 'qdrant', 'vault', 'otel-collector', 'prometheus', 'grafana']) expect(compose.services[infrastructure]?.image).toBeDefined();
    expect(compose.services['kafka']!.image).toBe(`apache/kafka:${/<kafka.version>([^<]+)</.exec(readFileSync(join(root, 'deploy/kafka/pom.xml'), 'utf8'))![1]}`);
    expect(compose.services['console']?.build?.target).toBe('console');

    for (const service of [...services, 'relay']) {
      const entry = compose.services[service];
      expect([service, entry?.build?.target]).toEqual([service, service]);
      expect(entry!.depends_on?.['postgres']?.condition).toBe('service_healthy');
      expect(entry!.depends_on?.['kafka']?.condition).toBe('service_healthy');
      if (service !== 'orchestrator') expect(entry!.depends_on?.['orchestrator']?.condition).toBe('service_healthy');
      // The configuration as compose gives it, through the parsers each main.ts runs first.
      const env = entry!.environment ?? {};
      expect(() => parsePlatformConfig(env, service)).not.toThrow();
      expect([service, serviceParsers[service] !== undefined || service === 'policy' || service === 'relay']).toEqual([service, true]);
      const parse = serviceParsers[service];
      if (parse) expect(() => parse(env)).not.toThrow();
    }
    expect(compose.services['gateway']!.environment?.['HEALTH_PORT']).toBe('9464');
  });
});

/** kubernetes-models' class for a manifest's apiVersion and kind (core v1 lives under `v1`). */
async function kubernetesModel(apiVersion: string, kind: string): Promise<new (data: unknown) => { validate(): void }> {
  const module = (await import(`kubernetes-models/${apiVersion}/${kind}`)) as Record<string, new (data: unknown) => { validate(): void }>;
  const model = module[kind];
  if (!model) throw new Error(`kubernetes-models has no ${apiVersion} ${kind}`);
  return model;
}

/** `helm lint --strict` and `helm template`: the helm binary where it is installed, else helm-java. */
async function renderChart(valuesFile: string): Promise<string | undefined> {
  if (await onPath('helm')) {
    await run('helm', ['lint', '--strict', chartDir, '-f', valuesFile]);
    return (await run('helm', ['template', 'ao', chartDir, '-f', valuesFile, '--namespace', 'agents'], { maxBuffer: 64 * 1024 * 1024 })).stdout;
  }
  console.warn('NOT RUN: the `helm` binary is not on PATH (Debian has no package for it): `helm lint`/`helm template` were not run; the chart is linted and rendered by helm-java instead (Helm 3 Go library as a native library, from Maven Central)');
  if (!(await need('java', 'rendering the Helm chart with helm-java')) || !(await need('mvn', 'fetching helm-java from Maven Central'))) return undefined;
  const classpathFile = join(dirname(valuesFile), 'helm-java.classpath');
  await run('mvn', ['-q', '-B', '-f', join(root, 'deploy/helm/render/pom.xml'), 'dependency:build-classpath', `-Dmdep.outputFile=${classpathFile}`], { maxBuffer: 16 * 1024 * 1024 });
  const classpath = readFileSync(classpathFile, 'utf8').trim();
  const { stdout } = await run('java', ['-cp', classpath, join(root, 'deploy/helm/render/HelmTemplate.java'), chartDir, valuesFile, 'ao', 'agents'], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

describe('the Helm chart', () => {
  const values = parseYaml(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>;
  const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as object;

  test('values.yaml validates against values.schema.json, which refuses wrong values', () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect([validate(values), validate.errors]).toEqual([true, null]);
    const services = values['services'] as Record<string, Record<string, unknown>>;
    const wrong = [
      { ...values, kafka: { brokers: 'no-port-here' } },
      { ...values, services: { ...services, gateway: { ...services['gateway'], podDisruptionBudget: { minAvailable: 1, maxUnavailable: 1 } } } },
      { ...values, services: { ...services, policy: { ...services['policy'], replicas: -1 } } },
      { ...values, keys: { bootstrapAdminApiKey: 'too-short' } },
      { ...values, unknownSetting: true },
    ];
    for (const value of wrong) expect(validate(value)).toBe(false);
  });

  test('renders (helm lint --strict, helm template) to manifests valid against the Kubernetes schemas: per service a Deployment with probes and resources, a Service and a PodDisruptionBudget; HPAs for agent-runtime and tool-adapters', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ao-chart-'));
    try {
      const valuesFile = join(dir, 'values.yaml');
      // As in the chart README's Strimzi and CloudNativePG example.
      writeFileSync(
        valuesFile,
        [
          'kafka:',
          '  brokers: agents-kafka-bootstrap.kafka.svc:9092',
          'postgresql:',
          '  existingSecret: agents-pg-app',
          '  secretKey: uri',
          'keys:',
          '  existingSecret: agent-orchestrator-keys',
          'console:',
          '  enabled: true',
          '',
        ].join('\n'),
      );
      const rendered = await renderChart(valuesFile);
      if (rendered === undefined) return;
      const documents = parseAllDocuments(rendered, { uniqueKeys: true });
      expect(documents.flatMap((document) => document.errors.map((error) => error.message))).toEqual([]);
      const manifests = documents.map((document) => document.toJS() as { apiVersion: string; kind: string; metadata: { name: string }; spec?: Record<string, unknown> } | null).filter((m) => m !== null);
      const invalid: string[] = [];
      for (const manifest of manifests) {
        const Model = await kubernetesModel(manifest.apiVersion, manifest.kind);
        try {
          new Model(manifest).validate();
        } catch (error) {
          invalid.push(`${manifest.kind} ${manifest.metadata.name}: ${(error as Error).message}`);
        }
      }
      expect(invalid).toEqual([]);

      const named = (kind: string, component: string) => manifests.find((m) => m.kind === kind && m.metadata.name === `ao-agent-orchestrator-${component}`);
      for (const service of [...services, 'relay']) {
        const deployment = named('Deployment', service) as { spec: { template: { spec: { containers: Array<{ image: string; livenessProbe?: { httpGet?: { path: string } }; readinessProbe?: { httpGet?: { path: string } }; resources?: { requests?: unknown; limits?: unknown }; env?: Array<{ name: string }> }> } } } } | undefined;
        expect([service, deployment !== undefined]).toEqual([service, true]);
        const container = deployment!.spec.template.spec.containers[0]!;
        expect(container.image).toBe(`agent-orchestrator/${service}:0.1.0`);
        expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
        expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
        expect(container.resources?.requests).toBeDefined();
        expect(container.resources?.limits).toBeDefined();
        expect(container.env?.map((variable) => variable.name)).toContain('DATABASE_URL');
        expect([service, named('PodDisruptionBudget', service) !== undefined, named('Service', service) !== undefined]).toEqual([service, true, true]);
      }
      const hpas = manifests.filter((m) => m.kind === 'HorizontalPodAutoscaler').map((m) => (m.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name);
      expect(hpas.sort()).toEqual(['ao-agent-orchestrator-agent-runtime', 'ao-agent-orchestrator-tool-adapters']);
      // Under an HPA the Deployment leaves replicas to it.
      expect(named('Deployment', 'agent-runtime')!.spec!['replicas']).toBeUndefined();
      const config = manifests.find((m) => m.kind === 'ConfigMap') as unknown as { data: Record<string, string> };
      expect(config.data['KAFKA_BROKERS']).toBe('agents-kafka-bootstrap.kafka.svc:9092');
      // The keys come from the operator's Secret: the chart makes none of its own then.
      expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { Command, CommanderError, Option } from 'commander';
import { registerDlqCommands } from './dead-letters/dlq-command.js';
import { registerProjectionCommands } from './projections/projections-command.js';
import { CliError, exitCodes } from './exit-codes.js';
import { exportCommand, listExportsCommand } from './export-command.js';
import { connectionFrom, PlatformClient } from './platform-client.js';
import { addForkAndDiff } from './sessions/sessions-commands.js';
import { processTerminal, registerOperationsCommands } from './operations/index.js';
import { addReplay } from './sessions/replay-command.js';
import { registerUsageCommand } from './usage/usage-command.js';
import { verifyCommand, type Output } from './verify-command.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Runs `ao` on argv; returns the exit code rather than exiting, so specs and the bin share it. */
export async function main(argv: readonly string[], output: Output = consoleOutput, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let code: number = exitCodes.ok;
  const program = new Command('ao')
    .description("The agent orchestrator's command line. Exit codes: 0 ok, 1 verification or export failed, 2 usage error, 3 the platform refused or was unreachable, 4 nothing matched, 5 partial failure.")
    .addOption(new Option('--url <url>', 'the gateway address (default: AO_URL)'))
    .addOption(new Option('--api-key <key>', 'an API key of the tenant (default: AO_API_KEY)'))
    .exitOverride()
    .configureOutput({ writeOut: (s) => output.out(s.trimEnd()), writeErr: (s) => output.err(s.trimEnd()) });
  const client = (): PlatformClient => new PlatformClient(connectionFrom(program.opts<{ url?: string; apiKey?: string }>(), env));

  const audit = program.command('audit').description("the tenant's audit trail: signed exports anyone can verify offline");
  audit
    .command('verify')
    .description('check a bundle offline: every event, its order and completeness, every signature')
    .argument('<bundle>', 'the bundle file (.ndjson, or gzipped)')
    .option('--previous <bundle>', 'the export this one continues: its checkpoint must be this one\'s previous, and its keys are trusted')
    .option('--trusted-key <key>', 'a key you trust (base64 raw Ed25519, PEM or a PEM file, fingerprint, key id); repeatable', collect)
    .option('--json', 'print { ok, summary, findings } as JSON')
    .action(async (bundle: string, options) => {
      code = await verifyCommand(bundle, options, output);
    });
  audit
    .command('export')
    .description('ask the platform for a signed export, wait for it, download it and verify it here')
    .option('--from <iso>', 'first instant (inclusive)')
    .option('--to <iso>', 'last instant (exclusive)')
    .option('--session <id>', 'only the events of this session; repeatable', collect)
    .option('--previous <exportId>', 'continue from this earlier export (adds a consistency proof)')
    .option('--out <file>', 'where to write the bundle (default: audit-<exportId>.ndjson)')
    .option('--json', 'print the verification as JSON')
    .action(async (options) => {
      code = await exportCommand(client(), options, { pollMs: 1000, timeoutMs: 30 * 60_000, tty: process.stderr.isTTY === true }, output);
    });
  audit
    .command('exports')
    .description("list the tenant's past exports")
    .option('--limit <n>', 'how many, newest first', (v) => Number.parseInt(v, 10), 50)
    .option('--json', 'print the records as JSON')
    .action(async (options: { limit: number; json?: boolean }) => {
      if (!Number.isSafeInteger(options.limit) || options.limit < 1) throw new CliError('--limit must be a positive whole number', exitCodes.usage);
      code = await listExportsCommand(client(), options, output);
    });

  registerDlqCommands(program, client, output, (exit) => void (code = exit));
  registerProjectionCommands(program, client, output, (exit) => void (code = exit));
  const sessions = program.command('sessions').description('sessions: fork one at a version, compare two, replay from the log, analyze one with an LLM');
  addForkAndDiff(sessions, client, () => connectionFrom(program.opts<{ url?: string; apiKey?: string }>(), env).url, output, (exit) => (code = exit));
  addReplay(sessions, client, processTerminal, output, (exit) => (code = exit));
  registerOperationsCommands(program, client, output, (next) => (code = next));
  registerUsageCommand(program, client, output, (next) => (code = next));

  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? exitCodes.ok : exitCodes.usage;
    }
    if (error instanceof CliError) {
      output.err(`ao: ${error.message}`);
      return error.code;
    }
    output.err(`ao: unexpected failure: ${(error as Error).stack ?? String(error)}`);
    return exitCodes.findings;
  }
}

const consoleOutput: Output = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

import type { Command } from 'commander';
import type { PlatformClient } from '../platform-client.js';
import type { Output } from '../verify-command.js';
import { analyzeCommand } from './analyze-command.js';
import { diffCommand } from './diff-command.js';
import { forkCommand, type ForkOptions } from './fork-command.js';

/** `ao sessions fork`, `ao sessions diff` and `ao sessions analyze`, added to the `sessions` command group. */
export function addForkAndDiff(sessions: Command, client: () => PlatformClient, url: () => string, output: Output, exit: (code: number) => void): void {
  sessions
    .command('fork')
    .description("a new session that starts with this one's log up to a version and runs on live from there, with the changes given")
    .argument('<sessionId>', 'the session to fork')
    .requiredOption('--at <version>', "the version of the session's log the fork copies up to (see GET /v1/sessions/<id>/events)")
    .option('--model-script <file>', 'a scripted model script (JSON) for the fork')
    .option('--model-fixture <name>', 'a named model fixture for the fork')
    .option('--policy-version <n>', "check the fork's tool calls against this version of the tenant's policy")
    .option('--agent <name@version>', 'pin one of your agent definitions at a version')
    .option('--model <name>', 'the model every run of the fork asks for')
    .option('--json', 'print { sessionId, forkedFrom } as JSON')
    .action(async (sessionId: string, options: ForkOptions) => {
      exit(await forkCommand(client(), url(), sessionId, options, output));
    });
  sessions
    .command('diff')
    .description('two sessions side by side: steps, tool calls, approvals, tokens and cost, and where they first differ')
    .argument('<a>', 'a session (the original, say)')
    .argument('<b>', 'another (its fork)')
    .option('--json', 'print the comparison as JSON')
    .action(async (a: string, b: string, options: { json?: boolean }) => {
      exit(await diffCommand(client(), a, b, options, output));
    });
  sessions
    .command('analyze')
    .description("analyze with an LLM: the Analyst reads the session's redacted trace and says what happened, where time and money went, why it failed and what to change (exit 1 when the analysis failed)")
    .argument('<sessionId>', 'the session to analyse')
    .option('--json', 'print the ended analysis as JSON')
    .action(async (sessionId: string, options: { json?: boolean }) => {
      exit(await analyzeCommand(client(), sessionId, options, output));
    });
}

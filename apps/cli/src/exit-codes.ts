/** What `ao` exits with: scripts tell a failed check from a mistyped command from a platform that said no. */
export const exitCodes = {
  ok: 0,
  /** The bundle did not verify, or the export failed. */
  findings: 1,
  /** The command line was wrong: a missing file, an unknown option, a key in no known form. */
  usage: 2,
  /** The platform could not be reached, or refused the request. */
  platform: 3,
  /** An operation's filter matched nothing: there was nothing to act on. */
  nothingMatched: 4,
  /** An operation ended with some items failed (or was aborted before every item had an outcome). */
  partialFailure: 5,
} as const;

/** An error whose message tells the user what was wrong and what to do; main prints it and exits with `code`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: (typeof exitCodes)[keyof typeof exitCodes],
  ) {
    super(message);
  }
}

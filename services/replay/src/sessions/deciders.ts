// The replayer runs this release's deciders against recorded history, as Temporal's replayer runs
// workflow code against recorded histories: it imports them through each service's `/domain`
// entry (pure functions over contracts), never the services' IO, so replaying cannot call a
// model, a tool or a store it was not handed.
import * as run from '@agent-orchestrator/agent-runtime/domain';
import * as session from '@agent-orchestrator/orchestrator/domain';

/** The deciders a replay runs; a spec hands in a changed one to see the replay find the change. */
export interface Deciders {
  readonly session: {
    readonly initialState: typeof session.initialState;
    readonly evolve: typeof session.evolve;
    readonly decide: typeof session.decide;
  };
  readonly run: {
    readonly initialState: typeof run.initialState;
    readonly evolve: typeof run.evolve;
    readonly decide: typeof run.decide;
    readonly resumption: typeof run.resumption;
  };
}

export const releaseDeciders: Deciders = {
  session: { initialState: session.initialState, evolve: session.evolve, decide: session.decide },
  run: { initialState: run.initialState, evolve: run.evolve, decide: run.decide, resumption: run.resumption },
};

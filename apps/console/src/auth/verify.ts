import { isProblem } from '@agent-orchestrator/client';
import { explain } from '../shell/explain';
import { clientFor, type Credential } from './credentials';

/**
 * Asks the gateway who a credential speaks for before the console keeps it: a wrong key or a
 * token the gateway refuses should say so on the sign-in page, not on every page after. Any role
 * may sign in; so may the platform admin, to the replay pages alone (it reads no tenant's data
 * but acts on every tenant's dead letters and projections). Answers why not, or nothing.
 */
export async function refusalOf(credential: Credential): Promise<string | undefined> {
  try {
    await clientFor(credential).me();
    return undefined;
  } catch (failure) {
    if (isProblem(failure) && failure.status === 401) {
      return credential.kind === 'apiKey' ? 'That key was not accepted: check that it was copied whole and has not expired or been revoked.' : `The platform did not accept your sign-in: ${failure.detail}`;
    }
    return explain(failure);
  }
}

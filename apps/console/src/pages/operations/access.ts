import { usePlatformAdmin, useRoles } from '../../auth/caller';

/** The roles the gateway opens the replay routes to (dead letters, operations); projections act for the platform admin alone. */
export const replayRoles = ['operator', 'admin', 'platform-admin'] as const;

export interface ReplayAccess {
  /** May see the pages and plan, confirm, pause, resume and abort operations. */
  readonly mayAct: boolean;
  /** The platform admin: every tenant's items, and projection rebuilds and retries. */
  readonly platform: boolean;
}

/** Undefined until the roles are known, so a page offers nothing it may have to take back. */
export function useReplayAccess(): ReplayAccess | undefined {
  const roles = useRoles();
  const platform = usePlatformAdmin();
  if (roles === undefined || platform === undefined) return undefined;
  return { mayAct: roles.some((role) => (replayRoles as readonly string[]).includes(role)), platform };
}

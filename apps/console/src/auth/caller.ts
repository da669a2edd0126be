/**
 * Who the signed-in user is: tenant and roles, for the header and for what a page offers.
 * Filled in from the public API by the sign-in work (GET /v1/me); until then nothing is known.
 */
export interface Caller {
  readonly tenantId: string;
  readonly subject: string;
  readonly roles: readonly string[];
}

export function useCaller(): Caller | undefined {
  return undefined;
}

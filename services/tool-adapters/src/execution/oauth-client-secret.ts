import { z } from 'zod';

/**
 * What the secret a tool names for an OAuth 2 or OpenID Connect scheme holds, as JSON: the
 * platform's client at the authorization server, and for the refresh-token grant the refresh
 * token an admin obtained once (it is replaced here when the server rotates it). Without a
 * refresh token the client-credentials grant is used. `clientAuth` says how the client
 * authenticates at the token endpoint: HTTP basic (the default, and what RFC 6749 requires
 * servers to support) or in the form body.
 */
const oauthClientSecretSchema = z.strictObject({
  clientId: z.string().min(1).max(1000),
  clientSecret: z.string().min(1).max(10_000).optional(),
  refreshToken: z.string().min(1).max(100_000).optional(),
  clientAuth: z.enum(['client_secret_basic', 'client_secret_post']).optional(),
});
export type OAuthClientSecret = z.infer<typeof oauthClientSecretSchema>;

export const oauthSecretShape = '{"clientId": "...", "clientSecret": "..."} for the client-credentials grant, plus "refreshToken": "..." for the refresh-token grant';

/**
 * The secret's value read as an OAuth client, or why it cannot be. The reason never quotes the
 * value: JSON.parse's own message would, so it is not passed on.
 */
export function readOAuthClientSecret(value: string, secretName: string): OAuthClientSecret | { reason: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { reason: `secret ${secretName} is not JSON; for an OAuth 2 or OpenID Connect scheme it holds ${oauthSecretShape}. Set it again with PUT /v1/secrets/${secretName}` };
  }
  const result = oauthClientSecretSchema.safeParse(parsed);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'the value'}: ${issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message}`);
  return { reason: `secret ${secretName} is not an OAuth client (${problems.join('; ')}); it holds ${oauthSecretShape}. Set it again with PUT /v1/secrets/${secretName}` };
}

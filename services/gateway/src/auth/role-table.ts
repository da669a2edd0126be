import { abilityOf, platformAdminAbility, platformAdminGrant, roleAbilities, type Action, type Grant, type SubjectName } from './abilities.js';

export interface Permission {
  readonly action: Action;
  readonly subject: SubjectName;
  /** What it opens, in a reader's words, with the routes. */
  readonly opens: string;
}

/** Every permission a route checks, with what it opens: the rows of the README's role table. */
export const permissions: readonly Permission[] = [
  { action: 'create', subject: 'Session', opens: 'start a session: `POST /v1/sessions`; fork one: `POST /v1/sessions/:id/fork`; ask the Analyst for an analysis of one (it spends model tokens): `POST /v1/sessions/:id/analysis`' },
  { action: 'read', subject: 'Session', opens: "a session's summary and the model calls it paid for: `GET /v1/sessions/:id`, `GET /v1/sessions/:id/model-calls`, its analyses: `GET /v1/sessions/:id/analysis`; two side by side: `GET /v1/sessions/:a/diff/:b`" },
  { action: 'cancel', subject: 'Session', opens: 'cancel a session: `POST /v1/sessions/:id/cancel`' },
  { action: 'read', subject: 'SessionLog', opens: "the audit trail of sessions: the session list and each session's event log and the streams of its work with their hashes, `GET /v1/sessions`, `GET /v1/sessions/:id/events`, `GET /v1/sessions/:id/streams`, the live WebSocket and its tickets (`POST /v1/ws-tickets`)" },
  { action: 'read', subject: 'AdminEvent', opens: "the audit trail of administration: the tenant's admin stream, `GET /v1/admin-events`" },
  { action: 'create', subject: 'AuditExport', opens: 'request a signed, verifiable export of the audit trail: `POST /v1/audit/exports`' },
  { action: 'read', subject: 'AuditExport', opens: 'the audit exports, their progress and verification, and their bundles: `GET /v1/audit/exports`, `GET /v1/audit/exports/:id`, `GET /v1/audit/exports/:id/bundle`' },
  { action: 'read', subject: 'AuditKey', opens: "the audit trail's signing keys with fingerprints and periods: `GET /v1/audit/keys`" },
  { action: 'update', subject: 'AuditKey', opens: 'rotate the signing key (the old key endorses the new): `POST /v1/audit/keys/rotate`' },
  { action: 'create', subject: 'AuditCheckpoint', opens: 'sign a checkpoint of the audit trail now: `POST /v1/audit/checkpoints`' },
  { action: 'read', subject: 'AuditCheckpoint', opens: 'the signed checkpoints: `GET /v1/audit/checkpoints`' },
  { action: 'read', subject: 'AuditRetention', opens: 'how long audit exports are kept: `GET /v1/audit/retention`' },
  { action: 'update', subject: 'AuditRetention', opens: 'change it (at least 180 days): `PUT /v1/audit/retention`' },
  { action: 'read', subject: 'Approval', opens: "the approval inbox and each approval with the call's arguments: `GET /v1/approvals`, `GET /v1/approvals/:id`" },
  { action: 'decide', subject: 'Approval', opens: "approve or reject: `POST /v1/approvals/:id/decision` (and the key must have the role the policy's rule names, or admin)" },
  { action: 'create', subject: 'Operation', opens: 'plan a bulk operation (redrive, discard, replay) with its exact dry run: `POST /v1/operations`' },
  { action: 'read', subject: 'Operation', opens: 'operations, their progress and items: `GET /v1/operations`, `GET /v1/operations/:id`, `GET /v1/operations/:id/items`' },
  { action: 'update', subject: 'Operation', opens: 'confirm, pause, resume or abort one: `POST /v1/operations/:id/confirm`, `/pause`, `/resume`, `/abort`' },
  { action: 'create', subject: 'Agent', opens: 'define an agent: `POST /v1/agents`' },
  { action: 'read', subject: 'Agent', opens: 'agents: `GET /v1/agents`, `GET /v1/agents/:name`' },
  { action: 'update', subject: 'Agent', opens: 'a new version of an agent: `PATCH /v1/agents/:name`' },
  { action: 'create', subject: 'Tool', opens: 'register a tool: `POST /v1/tools`' },
  { action: 'read', subject: 'Tool', opens: 'tools: `GET /v1/tools`, `GET /v1/tools/:name`' },
  { action: 'read', subject: 'Policy', opens: 'the tool policy with its versions, and the privacy setting: `GET /v1/policies`, `GET /v1/policies/versions`, `GET /v1/policies/versions/:version`, `GET /v1/privacy`' },
  { action: 'update', subject: 'Policy', opens: 'change them: `PUT /v1/policies`, `PUT /v1/privacy`' },
  { action: 'read', subject: 'Egress', opens: 'the egress allow-list: `GET /v1/egress`' },
  { action: 'update', subject: 'Egress', opens: 'change it: `PUT /v1/egress`' },
  { action: 'read', subject: 'Budget', opens: 'the model budgets with their use this period: `GET /v1/budgets`' },
  { action: 'update', subject: 'Budget', opens: 'set one (tenant, agent or session; tokens or USD): `PUT /v1/budgets/:budgetId`' },
  { action: 'read', subject: 'Secret', opens: "secrets' names and versions (never values): `GET /v1/secrets`" },
  { action: 'update', subject: 'Secret', opens: 'set a secret: `PUT /v1/secrets/:name`' },
  { action: 'revoke', subject: 'Secret', opens: 'delete a secret: `DELETE /v1/secrets/:name`' },
  { action: 'read', subject: 'Alert', opens: 'alerts, open and resolved: `GET /v1/alerts`, and as they are raised and resolved: the WebSocket `GET /v1/alerts/live`' },
  { action: 'read', subject: 'AlertWebhook', opens: 'the alert webhook (never its secret): `GET /v1/alert-webhooks`' },
  { action: 'update', subject: 'AlertWebhook', opens: 'set it: `PUT /v1/alert-webhooks`' },
  { action: 'revoke', subject: 'AlertWebhook', opens: 'remove it: `DELETE /v1/alert-webhooks`' },
  { action: 'read', subject: 'PlatformAlert', opens: "the platform's own alerts (a stalled projection, dead letters of no tenant): `GET /v1/platform/alerts`, and live on `GET /v1/alerts/live` (the platform admin only)" },
  { action: 'read', subject: 'PlatformAlertWebhook', opens: "the platform's alert webhook (never its secret): `GET /v1/platform/alert-webhooks` (the platform admin only)" },
  { action: 'update', subject: 'PlatformAlertWebhook', opens: 'set it: `PUT /v1/platform/alert-webhooks` (the platform admin only)' },
  { action: 'create', subject: 'ApiKey', opens: 'create an API key: `POST /v1/api-keys`' },
  { action: 'read', subject: 'ApiKey', opens: 'the API keys (never secrets): `GET /v1/api-keys`' },
  { action: 'update', subject: 'ApiKey', opens: 'rotate an API key (a new secret, the old one for an overlap): `POST /v1/api-keys/:id/rotate`' },
  { action: 'revoke', subject: 'ApiKey', opens: 'revoke an API key: `DELETE /v1/api-keys/:id`' },
  { action: 'read', subject: 'RoleMapping', opens: "the identity provider's role names mapped to platform roles: `GET /v1/role-mapping`" },
  { action: 'update', subject: 'RoleMapping', opens: 'change it: `PUT /v1/role-mapping`' },
  { action: 'read', subject: 'DeadLetter', opens: 'dead letters and parked tool calls, each with its original message: `GET /v1/dead-letters`, `GET /v1/dead-letters/:id` (the platform admin: every tenant\'s)' },
  { action: 'read', subject: 'Projection', opens: "the read models' projections, their lag and state: `GET /v1/projections` (platform-wide: positions and counts, no tenant's data)" },
  { action: 'read', subject: 'Usage', opens: "tokens and cost by tenant, agent, model, tool, day or session, and the dashboard: `GET /v1/usage`, `GET /v1/dashboard` (the platform admin: every tenant's)" },
  { action: 'read', subject: 'Price', opens: 'the model prices usage is priced at, every version: `GET /v1/prices`' },
  { action: 'update', subject: 'Price', opens: 'a new version of the model prices, from an instant (an earlier one reprices the calls since): `PUT /v1/prices` (the platform admin only)' },
  { action: 'create', subject: 'Tenant', opens: 'create a tenant with its first admin key: `POST /v1/tenants`' },
  { action: 'read', subject: 'Tenant', opens: 'tenants: `GET /v1/tenants`, `GET /v1/tenants/:id`' },
  { action: 'update', subject: 'Tenant', opens: 'suspend and resume a tenant: `POST /v1/tenants/:id/suspend`, `POST /v1/tenants/:id/resume`' },
  { action: 'delete', subject: 'Tenant', opens: 'delete a tenant (soft, kept for the retention period): `DELETE /v1/tenants/:id`' },
];

const start = '<!-- role table: generated from services/gateway/src/auth/abilities.ts by `npm run docs:roles`; edit those, not this -->';
const end = '<!-- end of role table -->';

/**
 * Every (action, subject) some role is granted must be a row, so a grant never goes unlisted:
 * `manage` on a subject needs a row for that subject, and `manage all` covers every row.
 */
function unlistedGrants(abilities: Readonly<Record<string, Grant>>, rows: readonly Permission[]): string[] {
  const grants = Object.entries(abilities).flatMap(([role, grant]) =>
    abilityOf('tenant', [grant]).rules.flatMap((rule) =>
      [rule.action].flat().flatMap((action) => [rule.subject ?? 'all'].flat().map((subject) => ({ role, action, subject: String(subject) }))),
    ),
  );
  return grants
    .filter(({ action, subject }) => !(action === 'manage' && subject === 'all'))
    .filter(({ action, subject }) => !rows.some((row) => row.subject === subject && (action === 'manage' || row.action === action)))
    .map(({ role, action, subject }) => `${role} may "${action}" ${subject}`);
}

/** The role table: a row per permission, a column per role the abilities define. */
export function renderRoleTable(rows: readonly Permission[] = permissions, abilities: Readonly<Record<string, Grant>> = { ...roleAbilities, 'platform-admin': platformAdminGrant }): string {
  const unlisted = unlistedGrants(abilities, rows);
  if (unlisted.length > 0) {
    throw new Error(`The abilities grant what the role table does not list (${unlisted.join('; ')}): add a row to permissions in services/gateway/src/auth/role-table.ts saying what it opens.`);
  }
  const roleNames = Object.keys(abilities);
  // The platform admin's grant is on no tenant: its own ability, which tenant roles' `cannot` does not touch.
  const can = Object.fromEntries(Object.entries(abilities).map(([role, grant]) => [role, grant === platformAdminGrant ? platformAdminAbility() : abilityOf('tenant', [grant])]));
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(['may', 'what it opens', ...roleNames.map((role) => `\`${role}\``)]),
    line(['---', '---', ...roleNames.map(() => ':-:')]),
    ...rows.map((row) => line([`${row.action} ${row.subject}`, row.opens, ...roleNames.map((role) => (can[role]!.can(row.action, row.subject) ? '✓' : ''))])),
  ].join('\n');
}

/** The README with its role table replaced by `table`, between the two marker comments. */
export function withRoleTable(readme: string, table: string = renderRoleTable()): string {
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has lost the role table's markers; put these two lines back where the table goes:\n${start}\n${end}`);
  return `${readme.slice(0, from + start.length)}\n${table}\n${readme.slice(to)}`;
}

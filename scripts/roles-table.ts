/**
 * npm run docs:roles
 *
 * Writes the README's role table (which role may do what) from the gateway's CASL abilities,
 * between its two marker comments. A unit spec (services/gateway/src/auth/role-table.unit.spec.ts)
 * fails while the README and the abilities differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withRoleTable } from '@agent-orchestrator/gateway';

const readmePath = join(import.meta.dirname, '..', 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const updated = withRoleTable(readme);
if (updated === readme) {
  console.log('README.md: the role table is up to date.');
} else {
  writeFileSync(readmePath, updated);
  console.log('README.md: wrote the role table from the abilities.');
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Grant } from './abilities.js';
import { permissions, renderRoleTable, withRoleTable } from './role-table.js';

const readmePath = join(import.meta.dirname, '../../../../README.md');

describe("the README's role table", () => {
  it('is the one the abilities give (when this fails, run `npm run docs:roles`)', () => {
    const readme = readFileSync(readmePath, 'utf8');
    const regenerated = withRoleTable(readme);
    const fix = readme === regenerated ? 'none' : 'README.md differs from the abilities: run `npm run docs:roles`';
    expect({ readme, fix }).toEqual({ readme: regenerated, fix: 'none' });
  });

  it('has a column for every role the abilities define and a row for every permission', () => {
    const [header, , ...rows] = renderRoleTable().split('\n');
    expect(header).toBe('| may | what it opens | `admin` | `operator` | `approver` | `auditor` | `viewer` | `platform-admin` |');
    expect(rows.map((row) => row.split(' | ')[0]!.slice(2))).toEqual(permissions.map(({ action, subject }) => `${action} ${subject}`));
    expect(rows.find((row) => row.startsWith('| read AdminEvent |'))).toContain('admin-events` | ✓ |  |  | ✓ |  |  |');
    expect(rows.find((row) => row.startsWith('| create Tenant |'))).toMatch(/ \| +\| +\| +\| +\| +\| ✓ \|$/);
  });

  it('refuses to leave out a grant that has no row, naming it', () => {
    const tester: Grant = (can, own) => can('decide', 'Secret', own);
    expect(() => renderRoleTable(permissions, { tester })).toThrow(/tester may "decide" Secret.*add a row to permissions/);
  });

  it("refuses a README that lost the table's markers, saying what to put back", () => {
    expect(() => withRoleTable('# A README without the table\n')).toThrow(/lost the role table's markers; put these two lines back/);
  });
});

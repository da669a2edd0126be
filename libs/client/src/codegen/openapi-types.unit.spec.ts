import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedTypesPath, regenerateCommand, snapshotPath, typesFor } from './openapi-types.js';

const root = join(import.meta.dirname, '../../../..');

describe('the generated types', () => {
  it('are what openapi-typescript makes from the committed snapshot', async () => {
    const snapshot = JSON.parse(readFileSync(join(root, snapshotPath), 'utf8')) as object;
    const expected = await typesFor(snapshot);
    const committed = readFileSync(join(root, generatedTypesPath), 'utf8');
    if (committed !== expected) throw new Error(`${generatedTypesPath} is not what ${snapshotPath} generates: run \`${regenerateCommand}\` and commit both files.`);
    expect(committed).toContain("'/v1/sessions/{sessionId}/live'".replaceAll("'", '"'));
  });
});

import { readFileSync } from 'node:fs';

const swc = JSON.parse(readFileSync(new URL('./.swcrc', import.meta.url), 'utf8'));

const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }] },
  // Sources import siblings as './x.js' (NodeNext); jest resolves the .ts file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testPathIgnorePatterns: ['/node_modules/', '/.tools/'],
};

/** @type {import('jest').Config} */
export default {
  // Integration specs meet real brokers and databases: a broker restart or a killed process takes seconds.
  testTimeout: 120_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.unit.spec.ts', '<rootDir>/services/**/*.unit.spec.ts', '<rootDir>/apps/**/*.unit.spec.ts'] },
    {
      ...common,
      displayName: 'int',
      testMatch: ['<rootDir>/libs/**/*.int.spec.ts', '<rootDir>/services/**/*.int.spec.ts', '<rootDir>/deploy/**/*.int.spec.ts'],
      globalSetup: '<rootDir>/libs/testing/jest-global-setup.mjs',
      globalTeardown: '<rootDir>/libs/testing/jest-global-teardown.mjs',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/libs/**/*.e2e.spec.ts', '<rootDir>/services/**/*.e2e.spec.ts', '<rootDir>/apps/**/*.e2e.spec.ts'],
      globalSetup: '<rootDir>/libs/testing/jest-global-setup.mjs',
      globalTeardown: '<rootDir>/libs/testing/jest-global-teardown.mjs',
    },
  ],
};

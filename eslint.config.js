import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const restrict = (patterns) => ['error', { patterns }];

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      '.scratch/**',
      '.venv/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      'e2e/artifacts/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['electron/**/*.ts', 'bench/**/*.ts', 'e2e/**/*.ts', 'test/**/*.ts', '*.config.{ts,js}'],
    languageOptions: { globals: globals.node },
  },
  // Layer boundaries (DESIGN §8): shared/ is pure; the engine and worker never import Electron;
  // the renderer never imports Electron, Node built-ins or Node-side code.
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        {
          group: ['**/electron/**', '**/renderer/**', 'electron', 'node:*'],
          message: 'shared/ is pure: no Node, Electron or renderer imports.',
        },
      ]),
    },
  },
  {
    files: ['electron/engine/**/*.ts', 'electron/worker/**/*.ts', 'electron/host/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        {
          group: ['electron', 'electron/*', '**/main/**', '**/renderer/**'],
          message: 'The engine runs under plain Node: no Electron.',
        },
      ]),
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': restrict([
        { group: ['electron', 'node:*', '**/electron/**'], message: 'The renderer talks to PoolscopeApi only.' },
      ]),
    },
  },
);

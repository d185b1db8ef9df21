// ESLint flat config. Every file is parsed with type information (the project service finds
// each file's tsconfig); typescript-eslint's `recommended` rules everywhere, `recommendedTypeChecked`
// on the library. eslint-config-prettier comes last: formatting is Prettier's job.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const LIBRARY = ['libs/protection/src/**/*.ts'];

export default defineConfig(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      // Compiled by consumer.e2e-spec in throwaway apps against the packed tarball, not by this repo.
      'test/consumer/apps/**',
      '**/*.d.ts',
      '.test-tmp/**',
      'bench/results/**',
    ],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: {
      parserOptions: {
        projectService: {
          // The *.mjs files (this config, scripts/) are in no tsconfig: the default project types them.
          allowDefaultProject: ['*.mjs', 'scripts/*.mjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // The codebase's (and TypeScript's) convention: a leading underscore marks a binding kept
      // on purpose (an interface's parameter, a decorated @Body(), a property left out by a rest).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    files: LIBRARY,
    extends: [tseslint.configs.recommendedTypeChecked],
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's describe/it return promises that the runner itself awaits.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', URL: 'readonly' },
    },
  },
  prettier,
);

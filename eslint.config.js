// @ts-check
/**
 * Every static rule the code is held to, run by `npm run lint` (and so by `npm test`).
 * Type-aware: promise rules need the types, so ESLint reads tsconfig.json through the project service.
 */
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'dev-dist/', 'test-output/', 'coverage/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'no-duplicate-imports': 'error',
      // A destructuring that loads several values at once may keep one that is never reassigned.
      'prefer-const': ['error', { destructuring: 'all' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // Unused names are tsc's job (noUnusedLocals, noUnusedParameters): one report, not two.
      '@typescript-eslint/no-unused-vars': 'off',
      // Off: bytes, ids and counts are interpolated on purpose in messages and SQL-free log lines, and
      // tsc already refuses the objects this rule is meant to catch being passed where a string is due.
      '@typescript-eslint/restrict-template-expressions': 'off',
    },
  },
  {
    files: ['tests/**/*.{ts,tsx}'],
    rules: {
      // Tests read the real server's JSON answers and the files the app writes, then hold their shape
      // to account with expect: a wrong shape fails the assertion, the check these rules would add.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Fakes implement the app's async interfaces with answers they already hold.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['src/app/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      // useLiveQuery takes a deps list as useEffect does, so its callers are held to the same rule.
      'react-hooks/exhaustive-deps': ['error', { additionalHooks: '^useLiveQuery$' }],
    },
  },
  {
    // Everything kept outside the Dexie tables goes through the registry the panic wipe walks.
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/app/store/keyval.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'idb-keyval', message: 'Use src/app/store/keyval.ts, whose names the panic wipe knows.' }] },
      ],
    },
  },
  {
    // The architecture's layers: a pure core, exports built on it, and two edges that never meet.
    files: ['src/**/*.{ts,tsx}'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': [
        { type: 'domain', pattern: 'src/domain/**', partialMatch: false },
        { type: 'export', pattern: 'src/export/**', partialMatch: false },
        { type: 'app', pattern: 'src/app/**', partialMatch: false },
        { type: 'server', pattern: 'src/server/**', partialMatch: false },
      ],
    },
    rules: {
      'boundaries/no-unknown-files': 'error',
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: [
            { from: { element: { type: 'domain' } }, allow: { to: { element: { type: 'domain' } } } },
            { from: { element: { type: 'export' } }, allow: { to: { element: { types: { anyOf: ['domain', 'export'] } } } } },
            { from: { element: { type: 'app' } }, allow: { to: { element: { types: { anyOf: ['domain', 'export', 'app'] } } } } },
            { from: { element: { type: 'server' } }, allow: { to: { element: { types: { anyOf: ['domain', 'export', 'server'] } } } } },
            // Packages from npm and Node's own modules are not the project's layers.
            { allow: { to: { module: { origin: ['external', 'core'] } } } },
          ],
        },
      ],
    },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);

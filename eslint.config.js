// One eslint run over the whole repository (`pnpm lint`, in .ci/run before the tests).
// typescript-eslint's recommended rules (no type information: fast, and the type checks are tsc's
// job); react-hooks' two classic rules for the editor. Rules turned off or narrowed are noted.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.data/**', 'packages/db/drizzle/**', '**/*.d.ts'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_`-prefixed parameters and destructured leftovers are this codebase's "deliberately unused"
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Tests, their fixtures and the benches read loosely shaped JSON bodies and SDK internals:
    // `any` there is a deliberate shortcut, not a type leaking into product code.
    files: ['**/*.test.{ts,tsx}', '**/test-support.ts', '**/testing.ts', '**/*fixtures.ts', 'test/**', 'packages/*/test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['apps/editor/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
);

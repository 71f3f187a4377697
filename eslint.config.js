// Lint rules for the whole tree (src, test, bench, examples). Formatting is prettier's job
// (eslint-config-prettier turns off the rules that would fight it).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    rules: {
      // tsc's noUnusedLocals/noUnusedParameters already report these; a leading _ marks a deliberate one.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Interfaces and Symbol tokens share a name (the port convention in src/domain/ports).
      '@typescript-eslint/no-redeclare': 'off',
      'no-redeclare': 'off',
      // Declaration merging of a class with a namespace/interface is used for typings only.
      '@typescript-eslint/no-unsafe-declaration-merging': 'off',
      // `const enum` and `enum` are both used deliberately (inlined opcodes and modes).
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
      'prefer-const': 'error',
      'no-var': 'error',
    },
  },
  {
    // Test files: chai's expect(...).to.be.true style expressions.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
);

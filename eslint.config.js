import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['eslint.config.js', 'apps/cli/bin/**', 'apps/agent/bin/**', 'node_modules/**', '.phiguard/**', 'bench/results/**', 'apps/console/dist/**'] },
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'read the environment only in config loading (packages/core/src/config.ts) or a composition root',
        },
      ],
    },
  },
  {
    // Browser scripts of the server's login pages: plain JavaScript, linted without type information.
    files: ['apps/server/src/web/assets/**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'module' },
  },
  {
    files: ['**/*.test.ts', 'bench/**', 'scripts/**', 'apps/*/src/main.ts', 'apps/cli/src/**', 'vitest.config.ts', 'eslint.config.js'],
    rules: { 'no-restricted-properties': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);

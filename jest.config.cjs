// `npm test` runs both projects; `--selectProjects unit|e2e` picks one.
const preset = require('./jest.preset.cjs');

module.exports = {
  projects: [
    {
      ...preset,
      displayName: 'unit',
      testMatch: ['<rootDir>/packages/*/src/**/*.spec.ts', '<rootDir>/plugins/*/src/**/*.spec.ts', '<rootDir>/tools/**/*.spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/tools/jest-unit.setup.ts'],
    },
    {
      ...preset,
      displayName: 'e2e',
      testMatch: ['<rootDir>/e2e/**/*.spec.ts'],
      // testTimeout is not a per-project option; the setup file sets it.
      setupFilesAfterEnv: ['<rootDir>/e2e/jest.setup.ts'],
    },
  ],
};

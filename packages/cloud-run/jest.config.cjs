module.exports = { ...require('../../jest.preset.cjs'), displayName: 'cloud-run', testMatch: ['<rootDir>/src/**/*.spec.ts'] };

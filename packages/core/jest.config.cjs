module.exports = { ...require('../../jest.preset.cjs'), displayName: 'core', testMatch: ['<rootDir>/src/**/*.spec.ts'] };

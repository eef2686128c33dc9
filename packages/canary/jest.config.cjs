module.exports = { ...require('../../jest.preset.cjs'), displayName: 'canary', testMatch: ['<rootDir>/src/**/*.spec.ts'] };

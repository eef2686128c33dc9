module.exports = { ...require('../../jest.preset.cjs'), displayName: 'tv', testMatch: ['<rootDir>/src/**/*.spec.ts'] };

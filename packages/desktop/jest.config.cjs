module.exports = { ...require('../../jest.preset.cjs'), displayName: 'desktop', testMatch: ['<rootDir>/src/**/*.spec.ts'] };

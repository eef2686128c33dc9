module.exports = { ...require('../../jest.preset.cjs'), displayName: 'apple', testMatch: ['<rootDir>/src/**/*.spec.ts'] };

module.exports = { ...require('../../jest.preset.cjs'), displayName: 'nx', testMatch: ['<rootDir>/src/**/*.spec.ts'] };

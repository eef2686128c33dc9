module.exports = { ...require('../../jest.preset.cjs'), displayName: 'container', testMatch: ['<rootDir>/src/**/*.spec.ts'] };

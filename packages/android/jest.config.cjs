module.exports = { ...require('../../jest.preset.cjs'), displayName: 'android', testMatch: ['<rootDir>/src/**/*.spec.ts'] };

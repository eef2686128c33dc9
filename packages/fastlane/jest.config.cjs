module.exports = { ...require('../../jest.preset.cjs'), displayName: 'fastlane', testMatch: ['<rootDir>/src/**/*.spec.ts'] };

module.exports = { ...require('../../jest.preset.cjs'), displayName: 'k8s', testMatch: ['<rootDir>/src/**/*.spec.ts'] };

module.exports = { ...require('../../jest.preset.cjs'), displayName: 'terraform', testMatch: ['<rootDir>/src/**/*.spec.ts'] };

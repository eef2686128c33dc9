module.exports = { ...require('../../jest.preset.cjs'), displayName: 'vercel', testMatch: ['<rootDir>/src/**/*.spec.ts'] };

module.exports = { ...require('../../jest.preset.cjs'), displayName: 'supabase', testMatch: ['<rootDir>/src/**/*.spec.ts'] };

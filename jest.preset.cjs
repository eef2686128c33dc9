// Shared by every project's jest.config.cjs and by the root config.
const path = require('path');
const root = __dirname;

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(root, 'tsconfig.spec.json') }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@shipfleet/([a-z0-9-]+)$': path.join(root, 'packages/$1/src/index.ts'),
  },
};

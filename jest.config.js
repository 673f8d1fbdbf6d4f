// ESM: ts-jest compiles each file on its own (isolatedModules); `npm test` type-checks first with tsc.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.test.json' }] },
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  testTimeout: 60000,
  // One test file at a time (they share one PostgreSQL database), in a worker process that is replaced once it holds
  // more than this after a file: a process kept for the whole run grows to V8's heap limit (the test files' ESM
  // modules are never freed), and then spends minutes collecting garbage or ends out of memory.
  maxWorkers: 1,
  workerIdleMemoryLimit: '1GB',
};

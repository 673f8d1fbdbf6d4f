import request from 'supertest';
import { formatGraphqlError } from '../../src/common/errors/graphql-error.formatter.js';
import { createTestApp, isPostgres } from '../support/test-app.js';

// Settings that need an app of their own.
describe(`access: settings (${isPostgres() ? 'PostgreSQL' : 'SQLite'})`, () => {
  it('keeps introspection and stack traces off when configured so, whatever NODE_ENV says', async () => {
    const closed = await createTestApp({ env: { GRAPHQL_INTROSPECTION: 'false', NODE_ENV: 'development' } });
    try {
      const res = await request(closed.app.getHttpServer()).post('/graphql').set(closed.auth).send({ query: '{ __schema { types { name } } }' });
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors[0].message).toMatch(/introspection/i);
    } finally {
      await closed.close();
    }
    // An unexpected error reaches the client as an error id only, never a stack.
    const formatted = formatGraphqlError({ message: 'x', extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at secret.js:1'] } }, new Error('boom'));
    expect(formatted.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: expect.any(String) });
    expect(JSON.stringify(formatted)).not.toContain('secret.js');
  });

  it('limits the queries one account sends per minute', async () => {
    const limited = await createTestApp({ env: { RATE_LIMIT_PER_MINUTE: '20' } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 25; i++) codes.push((await request(limited.app.getHttpServer()).post('/graphql').set(limited.auth).send({ query: '{ me { id } }' })).status);
      expect(codes.filter((c) => c === 200).length).toBeLessThanOrEqual(20);
      const last = await request(limited.app.getHttpServer()).post('/graphql').set(limited.auth).send({ query: '{ me { id } }' });
      expect(last.status).toBe(429);
      expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
      expect(last.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    } finally {
      await limited.close();
    }
  });

});

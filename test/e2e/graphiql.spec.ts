import request from 'supertest';
import { createTestApp, type TestApp } from '../support/test-app.js';

describe('the in-browser GraphQL IDE at /graphql', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('serves the IDE to a browser, with every asset from this server (no CDN)', async () => {
    const page = await request(t.app.getHttpServer()).get('/graphql').set('Accept', 'text/html,application/xhtml+xml');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const urls = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(urls.length).toBe(4);
    for (const url of urls) {
      expect(url).toMatch(/^\/graphiql\/assets\//);
      const asset = await request(t.app.getHttpServer()).get(url);
      expect([url, asset.status]).toEqual([url, 200]);
      expect(Number(asset.headers['content-length'] ?? asset.body.length)).toBeGreaterThan(1000);
    }
    expect(page.text).not.toMatch(/https?:\/\//);
  });

  it('serves nothing else from the asset folder', async () => {
    const res = await request(t.app.getHttpServer()).get('/graphiql/assets/..%2F..%2Fpackage.json');
    expect(res.status).toBe(404);
  });

  it('still answers GraphQL requests on the same path', async () => {
    const res = await request(t.app.getHttpServer()).post('/graphql').set(t.auth).send({ query: '{ templates { code query } }' });
    expect(res.body.data.templates.map((x: { code: string }) => x.code)).toEqual(['F01', 'F02', 'F03', 'F04', 'F05', 'F06', 'F07', 'F08', 'F09', 'V01', 'V02', 'V03']);
  });
});

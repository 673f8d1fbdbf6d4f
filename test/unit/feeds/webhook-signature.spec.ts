import { createHmac } from 'node:crypto';
import { ConfigError } from '../../../src/common/errors/definition-error.js';
import { loadConfig } from '../../../src/config/app-config.js';
import { hostAllowed, signature, verifySignature } from '../../../src/feeds/webhook-signature.js';

describe('webhook signatures and the host allowlist', () => {
  const body = '{"deliveryId":"d1","changes":[]}';

  it('signs "<timestamp>.<body>" with HMAC-SHA256, as docs/integration.md tells receivers', () => {
    const expected = createHmac('sha256', 'k'.repeat(32)).update(`1764000000.${body}`).digest('hex');
    expect(signature('k'.repeat(32), 1764000000, body)).toBe(`sha256=${expected}`);
    const now = 1764000000 * 1000;
    expect(verifySignature('k'.repeat(32), `sha256=${expected}`, '1764000000', body, 300, now)).toBe(true);
    expect(verifySignature('k'.repeat(32), `sha256=${expected}`, '1764000000', `${body} `, 300, now)).toBe(false);
    expect(verifySignature('x'.repeat(32), `sha256=${expected}`, '1764000000', body, 300, now)).toBe(false);
    // An old request replayed later fails the timestamp check.
    expect(verifySignature('k'.repeat(32), `sha256=${expected}`, '1764000000', body, 300, now + 301_000)).toBe(false);
  });

  it('allows a named host on any port, host:port on that port only, nothing else', () => {
    expect(hostAllowed(new URL('https://dept.example.gov.cn/hook'), ['dept.example.gov.cn'])).toBe(true);
    expect(hostAllowed(new URL('https://dept.example.gov.cn:8443/hook'), ['dept.example.gov.cn:443'])).toBe(false);
    expect(hostAllowed(new URL('https://dept.example.gov.cn/hook'), ['dept.example.gov.cn:443'])).toBe(true);
    expect(hostAllowed(new URL('http://evil.example.gov.cn/hook'), ['example.gov.cn'])).toBe(false);
    expect(hostAllowed(new URL('http://127.0.0.1:8080/'), [])).toBe(false);
  });

  it('reads WEBHOOK_ALLOWED_HOSTS and refuses wildcards and junk by name', () => {
    expect(loadConfig({ WEBHOOK_ALLOWED_HOSTS: ' Dept.Example.gov.cn, 10.0.0.5:8443 ' }).webhooks.allowedHosts).toEqual(['dept.example.gov.cn', '10.0.0.5:8443']);
    expect(loadConfig({}).webhooks.allowedHosts).toEqual([]);
    expect(() => loadConfig({ WEBHOOK_ALLOWED_HOSTS: '*.example.com' })).toThrow(ConfigError);
    expect(() => loadConfig({ WEBHOOK_ALLOWED_HOSTS: 'http://a.b/' })).toThrow(/WEBHOOK_ALLOWED_HOSTS/);
  });
});

import type { AppConfig } from './app-config.js';

/** The one typed way to read configuration; built from `loadConfig()`, which validated it at boot. */
export class ConfigService {
  constructor(readonly values: AppConfig) {}

  get port(): number {
    return this.values.port;
  }
  get database(): AppConfig['database'] {
    return this.values.database;
  }
  get templatesDir(): string {
    return this.values.templatesDir;
  }
  get seedDemo(): boolean {
    return this.values.seedDemo;
  }
  get auth(): AppConfig['auth'] {
    return this.values.auth;
  }
  get limits(): AppConfig['limits'] {
    return this.values.limits;
  }
  get introspection(): boolean {
    return this.values.introspection;
  }
  get webhooks(): AppConfig['webhooks'] {
    return this.values.webhooks;
  }
}

import { type AppConfig, loadConfig } from '../config/app-config.js';

/**
 * The server's config, for the backup commands: the same database settings. They need no login key, so an unset
 * JWT_SECRET (required with PostgreSQL) is not an error here.
 */
export function cliConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return loadConfig({ ...env, JWT_SECRET: env.JWT_SECRET?.trim() || 'not-used-by-backup-or-restore-0123456789' });
}

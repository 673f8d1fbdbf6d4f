import path from 'node:path';
import { ConfigError } from '../common/errors/definition-error.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/** Everything the app reads from the environment, validated once. */
export interface AppConfig {
  port: number;
  database: { kind: 'sqlite'; sqlitePath: string } | { kind: 'postgres'; url: string };
  templatesDir: string;
  seedDemo: boolean;
  production: boolean;
}

const BOOL = new Map([['1', true], ['true', true], ['yes', true], ['0', false], ['false', false], ['no', false]]);

/** Pure: builds the config from an environment, or throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AppConfig {
  const problems: string[] = [];
  const portText = env.PORT ?? '3000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) problems.push(`PORT="${portText}" 不是 1–65535 之间的端口号`);

  let database: AppConfig['database'];
  const url = env.DATABASE_URL?.trim();
  if (url) {
    if (!/^postgres(ql)?:\/\/.+/.test(url)) problems.push('DATABASE_URL 须为 postgres://用户@主机:端口/库名 形式');
    database = { kind: 'postgres', url };
  } else {
    database = { kind: 'sqlite', sqlitePath: path.resolve(cwd, env.SQLITE_PATH || 'data/yibiaotong.sqlite') };
  }

  const seedText = (env.SEED_DEMO ?? 'true').toLowerCase();
  if (!BOOL.has(seedText)) problems.push(`SEED_DEMO="${env.SEED_DEMO}" 应为 true 或 false`);

  if (problems.length) throw new ConfigError(problems);
  return {
    port,
    database,
    templatesDir: path.resolve(cwd, env.TEMPLATES_DIR || 'templates'),
    seedDemo: BOOL.get(seedText) ?? true,
    production: env.NODE_ENV === 'production',
  };
}

/** Which database the process talks to, decided by the environment before any entity is built. */
export function databaseKindFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseKind {
  return env.DATABASE_URL?.trim() ? 'postgres' : 'sqlite';
}

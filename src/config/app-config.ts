import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ConfigError } from '../common/errors/definition-error.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/** Everything the app reads from the environment, validated once. */
export interface AppConfig {
  port: number;
  /**
   * `ownerUrl`: the role that runs migrations (DATABASE_OWNER_URL), `url` itself when unset. `replica`: a streaming
   * replica (DATABASE_REPLICA_URL) that department pulls, views and exports read from, and how far behind it may be.
   */
  database: { kind: 'sqlite'; sqlitePath: string } | { kind: 'postgres'; url: string; ownerUrl: string; replica?: ReplicaConfig };
  templatesDir: string;
  seedDemo: boolean;
  auth: {
    /** HMAC key of the login tokens. */
    jwtSecret: string;
    /** True when JWT_SECRET was not set and a random key was made for this process (logins end at restart). */
    jwtSecretGenerated: boolean;
    tokenTtlSeconds: number;
    /** Creates the administrator "admin" with this password when there are no accounts yet. */
    adminPassword: string | null;
  };
  limits: {
    /** GraphQL and export requests per account (or address, before login) per minute. */
    requestsPerMinute: number;
    /** Failed logins per (user name, address) in 15 minutes before each further try waits (2^n seconds, at most 15 minutes). */
    loginFailures: number;
    /** A user name is locked for `loginLockMinutes` after this many failures in 15 minutes… */
    loginLockFailures: number;
    /** …from at least this many addresses (one address alone is only ever slowed down). */
    loginLockAddresses: number;
    loginLockMinutes: number;
    /** Largest JSON request body, in bytes. */
    bodyBytes: number;
    /** Largest uploaded file (imports), in bytes. */
    uploadBytes: number;
  };
  health: {
    /** Readiness fails when the SQLite database's disk has less free space than this (MB). */
    minFreeDiskMb: number;
  };
  /**
   * Express's `trust proxy`: which proxies' X-Forwarded-For is believed for the client address (the login throttle
   * and the rate limits count by it). A hop count or a list of addresses/subnets (`loopback`, `10.0.0.0/8`…); never
   * "all", which would let any client choose its address.
   */
  trustProxy: number | string[];
  /** Schema introspection: off unless asked for, or on the embedded demo database; never decided by NODE_ENV. */
  introspection: boolean;
  webhooks: WebhookSettings;
}

/** Webhooks to departments (src/feeds/): where they may go, how often the queue is looked at, how retries grow. */
export interface WebhookSettings {
  /** WEBHOOK_ALLOWED_HOSTS: host names (or host:port) an endpoint (and any redirect) may point at; empty: none. */
  allowedHosts: string[];
  /** WEBHOOK_WORKER: whether this process delivers (every process may: the queue hands each batch to one). */
  worker: boolean;
  pollMs: number;
  timeoutMs: number;
  /** The first retry's wait; each further one doubles, up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
}

export interface ReplicaConfig {
  url: string;
  /** Reads go back to the primary while the replica is further behind than this (seconds). */
  maxLagSeconds: number;
}

const BOOL = new Map([['1', true], ['true', true], ['yes', true], ['0', false], ['false', false], ['no', false]]);

/** Pure (apart from a random key when JWT_SECRET is unset): builds the config, or throws a ConfigError naming every bad variable. */
/** Where the definitions live (TEMPLATES_DIR): all a tool needs that only reads them, whatever the database settings. */
export function templatesDirOf(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return path.resolve(cwd, env.TEMPLATES_DIR || 'templates');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AppConfig {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number, what: string): number => {
    const text = env[name]?.trim() || String(fallback);
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) problems.push(`${name}="${text}" 应为 ${min}–${max} 之间的整数（${what}）`);
    return n;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const text = (env[name] ?? String(fallback)).trim().toLowerCase();
    if (!BOOL.has(text)) problems.push(`${name}="${env[name]}" 应为 true 或 false`);
    return BOOL.get(text) ?? fallback;
  };

  const port = int('PORT', 3000, 1, 65535, '端口号');
  let database: AppConfig['database'];
  const url = env.DATABASE_URL?.trim();
  if (url) {
    if (!/^postgres(ql)?:\/\/.+/.test(url)) problems.push('DATABASE_URL 须为 postgres://用户@主机:端口/库名 形式');
    const ownerUrl = env.DATABASE_OWNER_URL?.trim() || url;
    if (!sameDatabase(url, ownerUrl)) problems.push('DATABASE_OWNER_URL 须与 DATABASE_URL 指向同一主机、端口和库，只是角色不同');
    const replicaUrl = env.DATABASE_REPLICA_URL?.trim();
    if (replicaUrl && !/^postgres(ql)?:\/\/.+/.test(replicaUrl)) problems.push('DATABASE_REPLICA_URL 须为 postgres://用户@主机:端口/库名 形式（只读副本，角色与 DATABASE_URL 相同）');
    const maxLagSeconds = int('REPLICA_MAX_LAG_SECONDS', 30, 1, 86_400, '只读副本落后超过此秒数时改读主库');
    database = { kind: 'postgres', url, ownerUrl, ...(replicaUrl ? { replica: { url: replicaUrl, maxLagSeconds } } : {}) };
  } else {
    if (env.DATABASE_REPLICA_URL?.trim()) problems.push('DATABASE_REPLICA_URL 只能与 DATABASE_URL（PostgreSQL）一起使用');
    database = { kind: 'sqlite', sqlitePath: path.resolve(cwd, env.SQLITE_PATH || 'data/yibiaotong.sqlite') };
  }
  const seedDemo = bool('SEED_DEMO', true);

  const secret = env.JWT_SECRET?.trim();
  if (secret !== undefined && secret !== '' && secret.length < 32) problems.push('JWT_SECRET 至少 32 个字符');
  if (!secret && database.kind === 'postgres') problems.push('使用 PostgreSQL（DATABASE_URL）部署时须设置 JWT_SECRET（至少 32 个字符，各服务进程相同）');
  const adminPassword = env.ADMIN_PASSWORD || null;
  if (adminPassword !== null && adminPassword.length < 10) problems.push('ADMIN_PASSWORD 至少 10 个字符');

  const config: AppConfig = {
    port,
    database,
    templatesDir: templatesDirOf(env, cwd),
    seedDemo,
    auth: {
      jwtSecret: secret || randomBytes(32).toString('base64url'),
      jwtSecretGenerated: !secret,
      tokenTtlSeconds: int('TOKEN_TTL_HOURS', 8, 1, 24 * 30, '登录有效小时数') * 3600,
      adminPassword,
    },
    limits: {
      requestsPerMinute: int('RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000, '每个账号每分钟的请求数'),
      loginFailures: int('LOGIN_MAX_FAILURES', 3, 1, 1000, '同一用户名、同一地址 15 分钟内不受延迟的登录失败次数'),
      loginLockFailures: int('LOGIN_LOCK_FAILURES', 20, 1, 100_000, '15 分钟内锁定用户名的登录失败次数'),
      loginLockAddresses: int('LOGIN_LOCK_ADDRESSES', 3, 1, 1000, '锁定用户名所需的不同失败地址数'),
      loginLockMinutes: int('LOGIN_LOCK_MINUTES', 60, 1, 24 * 60, '用户名锁定的分钟数'),
      bodyBytes: int('MAX_REQUEST_KB', 1024, 16, 102_400, '请求体上限 KB') * 1024,
      uploadBytes: int('MAX_UPLOAD_MB', 20, 1, 1024, '上传文件上限 MB') * 1024 * 1024,
    },
    health: { minFreeDiskMb: int('MIN_FREE_DISK_MB', 100, 0, 1_000_000, '数据库磁盘剩余空间下限 MB') },
    trustProxy: trustProxy(env.TRUST_PROXY, problems),
    introspection: bool('GRAPHQL_INTROSPECTION', database.kind === 'sqlite'),
    webhooks: {
      allowedHosts: allowedHosts(env.WEBHOOK_ALLOWED_HOSTS, problems),
      worker: bool('WEBHOOK_WORKER', true),
      pollMs: int('WEBHOOK_POLL_MS', 2000, 10, 600_000, '检查待推送变更的间隔毫秒数'),
      timeoutMs: int('WEBHOOK_TIMEOUT_MS', 10_000, 50, 120_000, '推送请求的超时毫秒数'),
      retryBaseMs: int('WEBHOOK_RETRY_BASE_MS', 5000, 10, 3_600_000, '首次重试前等待的毫秒数，之后每次加倍'),
      retryMaxMs: int('WEBHOOK_RETRY_MAX_MS', 3_600_000, 10, 86_400_000, '重试间隔的上限毫秒数'),
    },
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** TRUST_PROXY: a hop count (0–10) or comma-separated addresses, subnets and Express's names; loopback by default. */
function trustProxy(text: string | undefined, problems: string[]): number | string[] {
  const value = text?.trim() || 'loopback';
  if (/^\d+$/.test(value) && Number(value) <= 10) return Number(value);
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  const named = new Set(['loopback', 'linklocal', 'uniquelocal']);
  if (list.length && list.every((s) => named.has(s) || /^[\d.:a-fA-F]+(\/\d{1,3})?$/.test(s))) return list;
  problems.push(`TRUST_PROXY="${value}" 应为代理层数（0–10）或逗号分隔的代理地址、网段（如 loopback,10.0.0.0/8）`);
  return ['loopback'];
}

/** WEBHOOK_ALLOWED_HOSTS: comma-separated host names or host:port, lower-cased; no wildcards (each is named). */
function allowedHosts(text: string | undefined, problems: string[]): string[] {
  const list = (text ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const bad = list.filter((h) => !/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.test(h));
  if (bad.length) problems.push(`WEBHOOK_ALLOWED_HOSTS 中 ${bad.join('、')} 不是主机名或 主机名:端口（多个用逗号分隔，不支持通配符）`);
  return list;
}

/** Two connection URLs name the same database (roles and passwords aside). */
function sameDatabase(a: string, b: string): boolean {
  try {
    const [x, y] = [new URL(a), new URL(b)];
    return x.host === y.host && x.pathname === y.pathname;
  } catch {
    return false;
  }
}

/** Which database the process talks to, decided by the environment before any entity is built. */
export function databaseKindFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseKind {
  return env.DATABASE_URL?.trim() ? 'postgres' : 'sqlite';
}

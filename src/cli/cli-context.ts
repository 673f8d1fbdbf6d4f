import 'reflect-metadata';
import { type DynamicModule, type INestApplicationContext, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadDefinitions } from '../common/definition/definitions.js';
import { ConfigError, DefinitionError } from '../common/errors/definition-error.js';
import { DomainError } from '../common/errors/domain-errors.js';
import { type AppConfig, loadConfig } from '../config/app-config.js';
import { ExcelModule } from '../excel/excel.module.js';
import { foundationModules } from '../foundation.js';

@Module({})
class CliModule {
  static async forRoot(config: AppConfig, extra: (DynamicModule | Type)[]): Promise<DynamicModule> {
    const imports = foundationModules(config, await loadDefinitions(config.templatesDir));
    // The ledger's GraphQL types are not needed here; views, exports and imports are plain services.
    return { module: CliModule, imports: [...imports, ...extra] };
  }
}

/** The app without HTTP, for command-line tools: same config, definitions, database and migrations. */
export async function cliContext(opts: { exports?: boolean; extra?: (DynamicModule | Type)[] } = {}): Promise<INestApplicationContext> {
  const config = { ...loadConfig(), seedDemo: false };
  const extra = [...(opts.exports ? [ExcelModule] : []), ...(opts.extra ?? [])];
  // abortOnError off: a start-up error (a refused dictionary change) reaches runCli, which says it in Chinese.
  return NestFactory.createApplicationContext(await CliModule.forRoot(config, extra), { logger: ['error', 'warn'], abortOnError: false });
}

/** Runs a command, printing a Chinese reason (not a stack) for errors a user can fix. */
export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
    process.exit(0);
  } catch (e) {
    if (e instanceof DefinitionError || e instanceof ConfigError || e instanceof DomainError || e instanceof UsageError) {
      console.error(`错误：${e.message}`);
      process.exit(e instanceof UsageError ? 2 : 1);
    }
    throw e;
  }
}

export class UsageError extends Error {}

/** `--name value` options (`flags` take no value: "yes"); every option must be one the command knows. */
export function parseOptions(argv: string[], known: Record<string, string>, flags: string[] = []): Record<string, string> {
  const options: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m || !(m[1] in known)) {
      throw new UsageError(`不认识的参数 "${argv[i]}"。可用参数：\n${Object.entries(known).map(([k, v]) => `  --${k}  ${v}`).join('\n')}`);
    }
    const value = flags.includes(m[1]) ? (m[2] ?? 'yes') : (m[2] ?? argv[++i]);
    if (value === undefined) throw new UsageError(`参数 --${m[1]} 缺少取值`);
    options[m[1]] = value;
  }
  return options;
}

import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { loadDefinitions } from './common/definition/definitions.js';
import { ConfigError, DefinitionError } from './common/errors/definition-error.js';
import { loadConfig } from './config/app-config.js';

async function bootstrap(): Promise<void> {
  let config, definitions;
  try {
    config = loadConfig();
    definitions = await loadDefinitions(config.templatesDir);
  } catch (e) {
    // A bad template or setting stops the server before anything is served, saying where and why.
    if (e instanceof DefinitionError || e instanceof ConfigError) {
      console.error(`一表通无法启动：${e.message}`);
      process.exit(1);
    }
    throw e;
  }
  const app = await NestFactory.create(AppModule.forRoot(config, definitions));
  app.enableShutdownHooks();
  await app.listen(config.port);
  const where = config.database.kind === 'postgres' ? 'PostgreSQL' : `SQLite ${config.database.sqlitePath}`;
  new Logger('一表通').log(`已启动：http://localhost:${config.port}/graphql（数据库：${where}）`);
}

void bootstrap();

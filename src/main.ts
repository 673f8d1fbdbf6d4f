import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { configureHttp } from './app.setup.js';
import { ScrubbingLogger } from './common/scrubbing-logger.js';
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
  let app: NestExpressApplication;
  try {
    // abortOnError off: an error while the modules start comes here, so a refused dictionary change is said plainly.
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, definitions), { logger: new ScrubbingLogger(), abortOnError: false });
  } catch (e) {
    if (e instanceof DefinitionError) {
      console.error(`一表通无法启动：${e.message}`);
      process.exit(1);
    }
    throw e;
  }
  configureHttp(app, config);
  app.enableShutdownHooks();
  await app.listen(config.port);
  const where = config.database.kind === 'postgres' ? 'PostgreSQL' : `SQLite ${config.database.sqlitePath}`;
  const logger = new Logger('一表通');
  if (config.auth.jwtSecretGenerated) logger.warn('未设置 JWT_SECRET：本次使用随机密钥，服务重启后需重新登录');
  logger.log(`已启动：http://localhost:${config.port}/（一表通页面）、/graphql（数据库：${where}）`);
}

void bootstrap();

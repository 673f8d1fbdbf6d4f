import { DataSource } from 'typeorm';
import { loadDefinitions } from './src/common/definition/definitions.js';
import { loadConfig } from './src/config/app-config.js';
import { dataSourceOptions } from './src/database/data-source-options.js';

// The DataSource for the TypeORM CLI (`npx typeorm migration:run -d dist/ormconfig.js`), built from the same
// options the app uses. Only the CLI imports this file: building it reads the environment and templates/.
// On PostgreSQL it connects as the migrations' owner (DATABASE_OWNER_URL); the app grants its own role at start.
// The CLI runs migrations only: the dictionary's columns and the filters' indexes are added by the app's start.
const config = loadConfig();
const { dictionary, templates } = await loadDefinitions(config.templatesDir);
export default new DataSource({
  ...dataSourceOptions(config, dictionary, templates.map((t) => t.def)),
  ...(config.database.kind === 'postgres' ? { url: config.database.ownerUrl } : {}),
});

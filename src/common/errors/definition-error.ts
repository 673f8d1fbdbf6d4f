/** A broken definition file (dictionary, code list, template): stops the server with file, path and reason. */
export class DefinitionError extends Error {
  constructor(
    readonly file: string,
    readonly at: string,
    readonly reason: string,
  ) {
    super(`${file}${at ? ` 中 ${at}` : ''}：${reason}`);
    this.name = 'DefinitionError';
  }
}

/** Bad environment variables: every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`配置错误：\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * The dictionary asks for a change that would lose or alter stored values (a field removed, retyped or moved while
 * its column holds values): the start stops, nothing is changed, and each reason says what to do.
 */
export class DictionaryChangeRefusedError extends DefinitionError {
  constructor(
    file: string,
    readonly refusals: string[],
  ) {
    super(file, '', `以下字段变更会丢失或改变已存数据，启动已停止，数据库未做任何改动：\n  - ${refusals.join('\n  - ')}`);
    this.name = 'DictionaryChangeRefusedError';
  }
}

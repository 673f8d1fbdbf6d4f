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

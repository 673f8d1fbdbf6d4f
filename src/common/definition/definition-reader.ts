import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { DefinitionError } from '../errors/definition-error.js';

type Obj = Record<string, unknown>;

/**
 * Reads one YAML definition file and checks its shape, failing with the file, the path inside it and a Chinese
 * reason. Shared by the dictionary, the code lists and the templates so every bad file reads the same way.
 */
export class DefinitionReader {
  readonly root: unknown;

  constructor(
    readonly file: string,
    readonly displayName = path.relative(process.cwd(), file) || file,
  ) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      throw new DefinitionError(this.displayName, '', '文件无法读取');
    }
    try {
      this.root = parse(text);
    } catch (e) {
      throw new DefinitionError(this.displayName, '', `不是有效的 YAML：${(e as Error).message.split('\n')[0]}`);
    }
  }

  fail(at: string, reason: string): never {
    throw new DefinitionError(this.displayName, at, reason);
  }

  object(value: unknown, at: string): Obj {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(at, '应为对象（键: 值）');
    return value as Obj;
  }

  array(value: unknown, at: string): unknown[] {
    if (!Array.isArray(value)) this.fail(at, '应为列表');
    return value;
  }

  /** Rejects keys the format does not know, so a typo never passes silently. */
  onlyKeys(o: Obj, at: string, allowed: readonly string[]): void {
    for (const key of Object.keys(o)) {
      if (!allowed.includes(key)) this.fail(join(at, key), `未知的键 "${key}"，可用的键：${allowed.join('、')}`);
    }
  }

  string(o: Obj, key: string, at: string, opts: { optional?: boolean; pattern?: RegExp; oneOf?: readonly string[] } = {}) {
    const v = o[key];
    if (v === undefined || v === null) {
      if (opts.optional) return undefined;
      this.fail(join(at, key), '缺少此项');
    }
    if (typeof v !== 'string' || v.trim() === '') this.fail(join(at, key), '应为非空文本');
    if (opts.pattern && !opts.pattern.test(v)) this.fail(join(at, key), `"${v}" 格式不对，应符合 ${opts.pattern}`);
    if (opts.oneOf && !opts.oneOf.includes(v)) this.fail(join(at, key), `"${v}" 不是可用的值：${opts.oneOf.join('、')}`);
    return v;
  }

  number(o: Obj, key: string, at: string, opts: { integer?: boolean } = {}): number | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || (opts.integer && !Number.isInteger(v))) {
      this.fail(join(at, key), opts.integer ? '应为整数' : '应为数字');
    }
    return v;
  }

  boolean(o: Obj, key: string, at: string): boolean | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.fail(join(at, key), '应为 true 或 false');
    return v;
  }
}

export function join(at: string, key: string | number): string {
  if (typeof key === 'number') return `${at}[${key}]`;
  return at ? `${at}.${key}` : key;
}

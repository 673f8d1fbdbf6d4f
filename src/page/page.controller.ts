import fs from 'node:fs';
import path from 'node:path';
import { Controller, Get, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../access/access.decorators.js';
import { DICTIONARY } from '../dictionary/dictionary.module.js';
import type { Dictionary } from '../dictionary/dictionary.types.js';
import type { QualityRule } from '../quality/quality-rules.js';
import { QUALITY_RULES } from '../quality/quality-rules.module.js';

/** The project root: the folder holding package.json above this module (src/ under tests, dist/src/ when built). */
function projectRoot(): string {
  let dir = path.dirname(new URL(import.meta.url).pathname);
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

const ROOT = projectRoot();
const PAGE_DIR = path.join(ROOT, 'page');
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml' };

/**
 * The modules the page shares with the server, as compiled: the one field validator and what it imports. The page
 * validates as people type with exactly the server's rules, not a copy of them (the data-quality rules included).
 */
const SHARED = new Set([
  'dictionary/field-validator.js', 'dictionary/dictionary.types.js', 'identity/index.js', 'identity/id-number.js', 'identity/credit-code.js', 'identity/phone.js',
  'quality/quality-rules.js',
]);

/** The one form as a web page at /, its files from page/ (no CDN), the shared validator, the dictionary it runs on. */
@Public()
@Controller()
export class PageController {
  constructor(
    @Inject(DICTIONARY) private readonly dictionary: Dictionary,
    @Inject(QUALITY_RULES) private readonly rules: QualityRule[],
  ) {}

  @Get()
  index(@Res() res: Response): void {
    this.send(res, path.join(PAGE_DIR, 'index.html'), 'no-cache');
  }

  @Get('page/:file')
  asset(@Param('file') file: string, @Res() res: Response): void {
    if (!/^[\w.-]+\.(js|css|png|svg|html)$/.test(file)) throw new NotFoundException();
    this.send(res, path.join(PAGE_DIR, file), 'no-cache');
  }

  @Get('page/shared/:dir/:file')
  shared(@Param('dir') dir: string, @Param('file') file: string, @Res() res: Response): void {
    const name = `${dir}/${file}`;
    if (!SHARED.has(name)) throw new NotFoundException();
    this.send(res, path.join(ROOT, 'dist/src', name), 'no-cache');
  }

  /**
   * The field dictionary (labels, types, rules, code lists) and the data-quality rules (templates/rules.yaml): no
   * personal data, what the shared validator runs on.
   */
  @Get('api/dictionary')
  dictionaryJson(): unknown {
    const { sections, fields, codeLists } = this.dictionary;
    return { sections, fields, codeLists: [...codeLists.values()].map(({ key, name, standard, items }) => ({ key, name, standard, items })), qualityRules: this.rules };
  }

  private send(res: Response, file: string, cache: string): void {
    if (!fs.existsSync(file)) throw new NotFoundException(`页面文件缺失：${path.relative(ROOT, file)}（请先 npm run build）`);
    res.type(TYPES[path.extname(file)] ?? 'application/octet-stream').setHeader('Cache-Control', cache);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.sendFile(file);
  }
}

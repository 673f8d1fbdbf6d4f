import { Body, Controller, Post, Query, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { CurrentViewer, Needs } from '../../access/access.decorators.js';
import type { Viewer } from '../../access/viewer.js';
import { ValidationFailedError } from '../../common/errors/domain-errors.js';
import { type DraftChoices, TemplateDraftingService } from './template-drafting.service.js';

type Upload = { originalname: string; buffer: Buffer } | undefined;

/** The page's 新表单 tab: a blank form in, a reviewed template out (administrators only). */
@Controller('templates/drafts')
export class TemplateDraftingController {
  constructor(private readonly drafting: TemplateDraftingService) {}

  /** POST /templates/drafts (multipart: file; code optional) → the draft: { code, layout, columns, newFields, yaml, keys }. */
  @Needs('accounts:manage')
  @Post()
  @UseInterceptors(FileInterceptor('file'))
  draft(@UploadedFile() file: Upload, @Body() body: { code?: string }, @Query('code') code?: string) {
    const upload = required(file);
    return this.drafting.draft(upload.buffer, upload.name, body?.code || code);
  }

  /** POST /templates/drafts/check (multipart: file, choices as JSON) → { ok, errors, yaml, dictionaryLines, files, nextStart }. */
  @Needs('accounts:manage')
  @Post('check')
  @UseInterceptors(FileInterceptor('file'))
  check(@UploadedFile() file: Upload, @Body() body: { choices?: string }) {
    const upload = required(file);
    return this.drafting.check(upload.buffer, upload.name, choicesOf(body));
  }

  /** POST /templates/drafts/save: as check, then writes the files under TEMPLATES_DIR and an audit line (template_save). */
  @Needs('accounts:manage')
  @Post('save')
  @UseInterceptors(FileInterceptor('file'))
  save(@CurrentViewer() viewer: Viewer, @UploadedFile() file: Upload, @Body() body: { choices?: string }) {
    const upload = required(file);
    return this.drafting.save(viewer, upload.buffer, upload.name, choicesOf(body));
  }
}

function required(file: Upload): { buffer: Buffer; name: string } {
  if (!file) throw new ValidationFailedError([{ path: ['file'], code: 'REQUIRED', message: '请选择部门发来的空白表样（.xlsx）' }]);
  // multer hands over the file name as Latin-1 bytes; browsers send it as UTF-8.
  return { buffer: file.buffer, name: Buffer.from(file.originalname, 'latin1').toString('utf8') };
}

function choicesOf(body: { choices?: string }): DraftChoices {
  try {
    const choices = JSON.parse(body?.choices ?? '') as DraftChoices;
    if (choices && typeof choices === 'object' && Array.isArray(choices.columns)) return choices;
  } catch {
    // answered below
  }
  throw new ValidationFailedError([{ path: ['choices'], code: 'REQUIRED', message: '缺少审核结果（choices：JSON，含 code、query、name、department、where、columns）' }]);
}

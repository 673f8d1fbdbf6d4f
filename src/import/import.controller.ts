import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Response } from 'express';
import { CurrentViewer, Needs } from '../access/access.decorators.js';
import type { Viewer } from '../access/viewer.js';
import { ValidationFailedError } from '../common/errors/domain-errors.js';
import { errorWorkbook } from './error-workbook.js';
import { ImportService } from './import.service.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

@Controller('imports')
export class ImportController {
  constructor(private readonly imports: ImportService) {}

  /**
   * POST /imports (multipart/form-data: file, form, orgUnit — or form and orgUnit in the query) → the preview's
   * summary; nothing in the ledger changes until commitImport.
   */
  @Needs('import')
  @Post()
  @UseInterceptors(FileInterceptor('file'))
  upload(
    @CurrentViewer() viewer: Viewer,
    @UploadedFile() file: { originalname: string; buffer: Buffer } | undefined,
    @Body() body: { form?: string; orgUnit?: string },
    @Query('form') formQuery?: string,
    @Query('orgUnit') orgUnitQuery?: string,
  ) {
    const form = body?.form ?? formQuery;
    const orgUnit = body?.orgUnit ?? orgUnitQuery;
    const missing = [!file && ['file', '请选择要导入的 .xlsx 文件'], !form && ['form', '请指明表单代码（如 F05）'], !orgUnit && ['orgUnit', '请指明导入到哪个社区或网格']]
      .filter((m): m is [string, string] => Boolean(m));
    if (missing.length) throw new ValidationFailedError(missing.map(([path, message]) => ({ path: [path], code: 'REQUIRED', message })));
    // multer hands over the file name as Latin-1 bytes; browsers send it as UTF-8.
    const fileName = Buffer.from(file!.originalname, 'latin1').toString('utf8');
    return this.imports.upload(viewer, { form: form!, orgUnit: orgUnit!, fileName, bytes: file!.buffer });
  }

  /** The user's own workbook with the bad cells highlighted and commented, plus the sheet 错误清单. */
  @Needs('import')
  @Get(':id/errors.xlsx')
  async errors(@CurrentViewer() viewer: Viewer, @Param('id', ParseIntPipe) id: number, @Res() res: Response): Promise<void> {
    const record = await this.imports.get(viewer, id);
    const book = await errorWorkbook(await this.imports.file(viewer, id), await this.imports.outcome(viewer, id));
    const name = `${record.fileName.replace(/\.xlsx$/i, '')}-错误报告.xlsx`;
    res.setHeader('Content-Type', XLSX);
    res.setHeader('Content-Disposition', `attachment; filename="${encodeURIComponent(name)}"; filename*=UTF-8''${encodeURIComponent(name)}`);
    res.setHeader('Cache-Control', 'no-store');
    res.end(book);
  }
}

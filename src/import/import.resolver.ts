import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentViewer, Needs } from '../access/access.decorators.js';
import type { Viewer } from '../access/viewer.js';
import { AuthService } from '../auth/auth.service.js';
import { ValidationFailedError } from '../common/errors/domain-errors.js';
import type { ImportRecord } from './import.repository.js';
import { ImportService } from './import.service.js';
import type { RowKind } from './import.types.js';
import { ImportPreviewType, ImportType } from './import.types.graphql.js';

const KINDS = ['create', 'update', 'unchanged', 'conflict', 'error'];

/** The upload's result (the upload itself is POST /imports, multipart): its preview, and the commit. */
@Resolver()
export class ImportResolver {
  constructor(
    private readonly imports: ImportService,
    private readonly auth: AuthService,
  ) {}

  @Needs('import')
  @Query(() => ImportPreviewType, { description: '导入预览：新建、补充、一致、冲突、错误各有多少，以及各行明细；kind 只看一类' })
  async importPreview(
    @CurrentViewer() viewer: Viewer,
    @Args('id', { type: () => Int }) id: number,
    @Args('kind', { type: () => String, nullable: true, description: 'create / update / unchanged / conflict / error' }) kind?: string | null,
    @Args('first', { type: () => Int, nullable: true, description: '每页行数，默认 100，最多 500' }) first?: number | null,
    @Args('after', { type: () => Int, nullable: true, description: '跳过的行数' }) after?: number | null,
  ) {
    if (kind && !KINDS.includes(kind)) throw new ValidationFailedError([{ path: ['kind'], code: 'INVALID_CODE', message: `kind 应为 ${KINDS.join('、')} 之一` }]);
    const record = await this.imports.get(viewer, id);
    const { total, rows } = await this.imports.rows(viewer, id, (kind ?? null) as RowKind | null, first ?? 100, after ?? 0);
    return { import: await this.describe(viewer, record), total, rows };
  }

  @Needs('import')
  @Mutation(() => ImportType, { description: '提交导入：在一个事务中全部写入（来源记为"导入"，附文件 SHA-256）。冲突按 onConflict：keep 保留台账的值（默认），take 采用文件的值' })
  async commitImport(
    @CurrentViewer() viewer: Viewer,
    @Args('id', { type: () => Int }) id: number,
    @Args('onConflict', { type: () => String, nullable: true, defaultValue: 'keep' }) onConflict: string,
    @Args('validRowsOnly', { nullable: true, defaultValue: false, description: '有错误行时，只提交无误的行（须明确选择）' }) validRowsOnly: boolean,
  ) {
    if (onConflict !== 'keep' && onConflict !== 'take') throw new ValidationFailedError([{ path: ['onConflict'], code: 'INVALID_CODE', message: 'onConflict 应为 keep（保留台账的值）或 take（采用文件的值）' }]);
    return this.describe(viewer, await this.imports.commit(viewer, id, { onConflict, validRowsOnly }));
  }

  private async describe(viewer: Viewer, record: ImportRecord & { alreadyImported?: ImportRecord | null }) {
    const url = `/imports/${record.id}/errors.xlsx`;
    return { ...record, alreadyImportedId: record.alreadyImported?.id ?? (await this.imports.twinOf(record))?.id ?? null, errorsUrl: `${url}?ticket=${await this.auth.ticket(viewer, url)}` };
  }
}

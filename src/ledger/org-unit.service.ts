import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors/domain-errors.js';
import { type OrgUnit, OrgUnitRepository } from './org-unit.repository.js';
import { LEVEL_NAMES } from './reference-checker.js';

export type OrgUnitView = OrgUnit & { levelName: string };

@Injectable()
export class OrgUnitService {
  constructor(private readonly orgUnits: OrgUnitRepository) {}

  private view = (u: OrgUnit): OrgUnitView => ({ ...u, levelName: LEVEL_NAMES[u.level] });

  /** The children of an org unit; without a parent, the top level (districts). */
  async children(parentCode: string | null | undefined): Promise<OrgUnitView[]> {
    if (parentCode && !(await this.orgUnits.findByCode(parentCode))) throw new NotFoundError(`没有代码为 "${parentCode}" 的区划`);
    return (await this.orgUnits.children(parentCode ?? null)).map(this.view);
  }

  async get(code: string): Promise<OrgUnitView> {
    const unit = await this.orgUnits.findByCode(code);
    if (!unit) throw new NotFoundError(`没有代码为 "${code}" 的区划或网格`);
    return this.view(unit);
  }

  async find(code: string | null | undefined): Promise<OrgUnitView | null> {
    const unit = code ? await this.orgUnits.findByCode(code) : null;
    return unit ? this.view(unit) : null;
  }
}

import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors/domain-errors.js';
import { type OrgUnit, OrgUnitRepository } from './org-unit.repository.js';
import { LEVEL_NAMES } from './reference-checker.js';
import { inScope, isAncestorOfScope, type Viewer } from '../access/viewer.js';

export type OrgUnitView = OrgUnit & { levelName: string };

@Injectable()
export class OrgUnitService {
  constructor(private readonly orgUnits: OrgUnitRepository) {}

  private view = (u: OrgUnit): OrgUnitView => ({ ...u, levelName: LEVEL_NAMES[u.level] });

  /** Units within the viewer's area, and those above it on the way down to it. */
  private visible(viewer: Viewer, unit: OrgUnit | null): unit is OrgUnit {
    return !!unit && (inScope(viewer, unit.code) || isAncestorOfScope(viewer, unit.code, unit.level));
  }

  /** The children of an org unit that the viewer may see; without a parent, the top level (districts). */
  async children(viewer: Viewer, parentCode: string | null | undefined): Promise<OrgUnitView[]> {
    if (parentCode && !this.visible(viewer, await this.orgUnits.findByCode(parentCode))) throw new NotFoundError(`没有代码为 "${parentCode}" 的区划`);
    return (await this.orgUnits.children(parentCode ?? null)).filter((u) => this.visible(viewer, u)).map(this.view);
  }

  async get(viewer: Viewer, code: string): Promise<OrgUnitView> {
    const unit = await this.orgUnits.findByCode(code);
    if (!this.visible(viewer, unit)) throw new NotFoundError(`没有代码为 "${code}" 的区划或网格`);
    return this.view(unit);
  }

  /** For relations (a resident's grid): the caller already holds a record of that unit. */
  async find(code: string | null | undefined): Promise<OrgUnitView | null> {
    const unit = code ? await this.orgUnits.findByCode(code) : null;
    return unit ? this.view(unit) : null;
  }
}

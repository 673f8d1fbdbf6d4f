import { Injectable } from '@nestjs/common';
import { type OrgUnit, OrgUnitRepository } from './org-unit.repository.js';
import { LEVEL_NAMES } from './reference-checker.js';
import { AccessPolicy } from '../access/access-policy.js';
import type { Viewer } from '../access/viewer.js';
import type { RequestLoaders } from './ledger-loaders.js';

export type OrgUnitView = OrgUnit & { levelName: string };

@Injectable()
export class OrgUnitService {
  constructor(
    private readonly orgUnits: OrgUnitRepository,
    private readonly policy: AccessPolicy,
  ) {}

  private view = (u: OrgUnit): OrgUnitView => ({ ...u, levelName: LEVEL_NAMES[u.level] });

  /** The children of an org unit that the viewer may see; without a parent, the top level (districts). */
  async children(viewer: Viewer, parentCode: string | null | undefined): Promise<OrgUnitView[]> {
    if (parentCode) await this.policy.unit(viewer, parentCode, { navigate: true });
    return (await this.orgUnits.children(parentCode ?? null)).filter((u) => this.policy.seesUnit(viewer, u)).map(this.view);
  }

  async get(viewer: Viewer, code: string): Promise<OrgUnitView> {
    return this.view(await this.policy.unit(viewer, code, { navigate: true }));
  }

  /** For relations (a resident's grid): the unit as the viewer sees it, null outside their reach. */
  async find(viewer: Viewer, code: string | null | undefined, loaders?: RequestLoaders): Promise<OrgUnitView | null> {
    const unit = !code ? null : loaders ? await loaders.orgUnit.load(code) : await this.orgUnits.findByCode(code);
    return this.policy.seesUnit(viewer, unit) ? this.view(unit) : null;
  }
}

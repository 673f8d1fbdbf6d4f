import { Inject } from '@nestjs/common';
import { Args, Context, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentViewer, Needs } from '../../access/access.decorators.js';
import type { Viewer } from '../../access/viewer.js';
import { AuditEntryType } from '../../audit/audit.types.js';
import { DICTIONARY } from '../../dictionary/dictionary.module.js';
import type { Dictionary } from '../../dictionary/dictionary.types.js';
import type { LedgerRow } from '../entities/ledger.entities.js';
import { LedgerRecordsService } from '../ledger-records.service.js';
import { LedgerLoaders } from '../ledger-loaders.js';
import { OneFormService } from '../one-form.service.js';
import { OrgUnitService } from '../org-unit.service.js';
import { ResidentService } from '../resident.service.js';
import { deregistrationReasonName } from '../resident-view.js';
import { QualityChecker } from '../../quality/quality-checker.js';
import type { QualityFinding } from '../../quality/quality-rules.js';
import { QualityWarningType } from '../../quality/quality.types.js';
import type { LedgerTypes } from './ledger-types.factory.js';
import { CodeListType, OneFormType } from './one-form.type.js';
import { OrgUnitType } from './org-unit.type.js';

/**
 * Resolvers for the ledger's public contract (oneForm, upsertResident, deregisterResident, restoreResident,
 * transferResident, recordVisit, upsertBusiness, households, resident, orgUnits). Thin: each names the permission it needs and calls one service with the viewer, whose
 * org unit bounds what it reaches. Built per dictionary because the types are.
 */
export function createLedgerResolvers(t: LedgerTypes) {
  @Resolver(() => t.ResidentType)
  class ResidentResolver {
    constructor(
      private readonly residents: ResidentService,
      private readonly records: LedgerRecordsService,
      private readonly orgUnits: OrgUnitService,
      private readonly quality: QualityChecker,
      @Inject(DICTIONARY) private readonly dictionary: Dictionary,
      private readonly loaders: LedgerLoaders,
    ) {}

    @Needs('ledger:read')
    @Query(() => t.ResidentType, { description: '按公民身份号码查询一位居民（可带空格、小写 x、15位旧号码）；辖区外的居民与不存在的一样返回 NOT_FOUND' })
    resident(@CurrentViewer() viewer: Viewer, @Args('idNumber') idNumber: string) {
      return this.residents.get(viewer, idNumber);
    }

    @Needs('ledger:read')
    @Query(() => [t.ResidentType], { description: '按姓名（包含）或公民身份号码（全部或末几位）查找区划内的居民，至多 50 位' })
    searchResidents(@CurrentViewer() viewer: Viewer, @Args('orgUnit', { description: '网格、社区或街道代码' }) orgUnit: string, @Args('text') text: string) {
      return this.residents.search(viewer, orgUnit, text);
    }

    @Needs('ledger:read')
    @Query(() => [AuditEntryType], { description: '一位居民的修改历史：谁、何时、从哪里、各字段修改前后的值，最新的在前' })
    residentHistory(@CurrentViewer() viewer: Viewer, @Args('idNumber') idNumber: string) {
      return this.residents.history(viewer, idNumber);
    }

    @Needs('ledger:write')
    @Mutation(() => t.ResidentType, { description: '登记或修改一位居民：一次录入，各部门表单自动更新' })
    upsertResident(@CurrentViewer() viewer: Viewer, @Args('input', { type: () => t.UpsertResidentInput }) input: LedgerRow) {
      return this.residents.upsert(viewer, { ...input });
    }

    @Needs('ledger:write')
    @Mutation(() => t.ResidentType, { description: '注销一位居民（迁出、死亡、其他）：自注销日期起不再出现在各部门表单中，此前日期的表单和修改历史都保留' })
    deregisterResident(
      @CurrentViewer() viewer: Viewer,
      @Args('idNumber') idNumber: string,
      @Args('reason', { type: () => String, nullable: true, description: '注销原因：代码表 deregistration-reason（1 迁出、2 死亡、9 其他），必填' }) reason: string | null,
      @Args('effectiveDate', { type: () => String, nullable: true, description: '注销日期 yyyy-mm-dd，必填：不晚于今天，不早于登记日期' }) effectiveDate: string | null,
      @Args('note', { type: () => String, nullable: true, description: '注销说明' }) note: string | null,
      @Args('destination', { type: () => String, nullable: true, description: '迁往地：迁出时必填，其他原因不填' }) destination: string | null,
      @Args('expectedVersion', { type: () => Int, nullable: true, description: '必填：读取时的版本号；版本已变则返回 CONFLICT' }) expectedVersion: number | null,
    ) {
      return this.residents.deregister(viewer, { idNumber, reason, effectiveDate, note, destination, expectedVersion });
    }

    @Needs('ledger:write')
    @Mutation(() => t.ResidentType, { description: '恢复误注销的居民：清除注销，重新出现在各部门表单中' })
    restoreResident(
      @CurrentViewer() viewer: Viewer,
      @Args('idNumber') idNumber: string,
      @Args('reason', { type: () => String, nullable: true, description: '恢复原因（记入修改历史）' }) reason: string | null,
      @Args('expectedVersion', { type: () => Int, nullable: true, description: '必填：读取时的版本号' }) expectedVersion: number | null,
    ) {
      return this.residents.restore(viewer, { idNumber, reason, expectedVersion });
    }

    @Needs('ledger:transfer')
    @Mutation(() => t.ResidentType, { description: '街道办事处把居民迁到本街道的另一个网格（另一个社区）；按新网格和地址归户' })
    transferResident(
      @CurrentViewer() viewer: Viewer,
      @Args('idNumber') idNumber: string,
      @Args('gridCode', { type: () => String, nullable: true, description: '迁往的网格代码（本街道内），必填' }) gridCode: string | null,
      @Args('currentAddress', { type: () => String, nullable: true, description: '新的现居住地址；不填则地址不变' }) currentAddress: string | null,
      @Args('expectedVersion', { type: () => Int, nullable: true, description: '必填：读取时的版本号' }) expectedVersion: number | null,
    ) {
      return this.residents.transfer(viewer, { idNumber, gridCode, currentAddress, expectedVersion });
    }

    @ResolveField(() => String, { description: '在册 / 已注销（有注销日期即已注销：注销日期不晚于今天）' })
    status(@Parent() r: LedgerRow) {
      return r.deregisteredOn ? '已注销' : '在册';
    }

    @ResolveField(() => String, { nullable: true, description: '注销原因的名称：迁出、死亡、其他' })
    deregistrationReasonName(@Parent() r: LedgerRow) {
      return deregistrationReasonName(this.dictionary, r.deregistrationReason);
    }

    @ResolveField(() => [QualityWarningType], {
      description: '对该居民成立的数据质量规则（templates/rules.yaml）：提示（warning），以及记录原有、本次修改未涉及的错误（error）；已注销的居民为空',
    })
    warnings(@Parent() r: LedgerRow & { id: number; warnings?: QualityFinding[] }) {
      // A save answers the findings it made in its own transaction; other reads check the record as it is now.
      return Array.isArray(r.warnings) ? r.warnings : this.quality.findingsOf(r);
    }

    @ResolveField(() => OrgUnitType, { description: '所属网格' })
    grid(@CurrentViewer() viewer: Viewer, @Parent() r: LedgerRow, @Context() ctx: object) {
      return this.orgUnits.find(viewer, r.gridCode, this.loaders.for(ctx));
    }

    @ResolveField(() => t.HouseholdType, { nullable: true, description: '所在的户' })
    household(@CurrentViewer() viewer: Viewer, @Parent() r: LedgerRow, @Context() ctx: object) {
      return r.householdId ? this.records.household(viewer, r.householdId, this.loaders.for(ctx)) : null;
    }

    @ResolveField(() => t.StaffType, { nullable: true, description: '包联干部' })
    liaisonStaff(@CurrentViewer() viewer: Viewer, @Parent() r: LedgerRow, @Context() ctx: object) {
      return this.records.staffById(viewer, r.liaisonStaffId, this.loaders.for(ctx));
    }

    @ResolveField(() => [t.VisitType], { description: '走访记录，最近的在前' })
    visits(@CurrentViewer() viewer: Viewer, @Parent() r: LedgerRow, @Context() ctx: object) {
      return this.records.visitsOf(viewer, r, this.loaders.for(ctx));
    }
  }

  @Resolver(() => t.HouseholdType)
  class HouseholdResolver {
    constructor(
      private readonly records: LedgerRecordsService,
      private readonly residents: ResidentService,
      private readonly loaders: LedgerLoaders,
    ) {}

    @Needs('ledger:read')
    @Query(() => [t.HouseholdType], { description: '一个网格内的户，按编号排列；after 为上一页最后一户的编号' })
    households(
      @CurrentViewer() viewer: Viewer,
      @Args('gridCode') gridCode: string,
      @Args('first', { type: () => Int, defaultValue: 100 }) first: number,
      @Args('after', { type: () => Int, defaultValue: 0 }) after: number,
    ) {
      return this.records.householdsInGrid(viewer, gridCode, first, after);
    }

    @Needs('ledger:read')
    @Query(() => t.HouseholdType, { description: '按编号查询一户' })
    household(@CurrentViewer() viewer: Viewer, @Args('id', { type: () => Int }) id: number) {
      return this.records.household(viewer, id);
    }

    @Needs('ledger:write')
    @Mutation(() => t.HouseholdType, { description: '新建或修改户（地址更正、住所类型、房东）' })
    upsertHousehold(@CurrentViewer() viewer: Viewer, @Args('input', { type: () => t.UpsertHouseholdInput }) input: LedgerRow) {
      return this.records.upsertHousehold(viewer, { ...input });
    }

    @ResolveField(() => [t.ResidentType], { description: '户内居民' })
    members(@CurrentViewer() viewer: Viewer, @Parent() h: LedgerRow, @Context() ctx: object) {
      return this.residents.membersOf(viewer, h.id, this.loaders.for(ctx));
    }
  }

  @Resolver(() => t.VisitType)
  class VisitResolver {
    constructor(
      private readonly records: LedgerRecordsService,
      private readonly residents: ResidentService,
      private readonly loaders: LedgerLoaders,
    ) {}

    @Needs('ledger:write')
    @Mutation(() => t.VisitType, { description: '记录一次走访' })
    recordVisit(@CurrentViewer() viewer: Viewer, @Args('input', { type: () => t.RecordVisitInput }) input: LedgerRow) {
      return this.records.recordVisit(viewer, { ...input });
    }

    @ResolveField(() => t.ResidentType, { nullable: true, description: '走访对象' })
    resident(@CurrentViewer() viewer: Viewer, @Parent() v: LedgerRow, @Context() ctx: object) {
      return this.residents.getById(viewer, v.residentId, this.loaders.for(ctx));
    }

    @ResolveField(() => t.StaffType, { nullable: true, description: '走访人' })
    staff(@CurrentViewer() viewer: Viewer, @Parent() v: LedgerRow, @Context() ctx: object) {
      return this.records.staffById(viewer, v.staffId, this.loaders.for(ctx));
    }
  }

  @Resolver(() => t.BusinessType)
  class BusinessResolver {
    constructor(
      private readonly records: LedgerRecordsService,
      private readonly residents: ResidentService,
      private readonly loaders: LedgerLoaders,
    ) {}

    @Needs('ledger:read')
    @Query(() => [t.BusinessType], { description: '一个网格内的商户' })
    businesses(@CurrentViewer() viewer: Viewer, @Args('gridCode') gridCode: string) {
      return this.records.businessesInGrid(viewer, gridCode);
    }

    @Needs('ledger:write')
    @Mutation(() => t.BusinessType, { description: '登记或修改商户；经营者按公民身份号码关联到居民' })
    upsertBusiness(@CurrentViewer() viewer: Viewer, @Args('input', { type: () => t.UpsertBusinessInput }) input: LedgerRow) {
      return this.records.upsertBusiness(viewer, { ...input });
    }

    @ResolveField(() => t.ResidentType, { nullable: true, description: '经营者（姓名、电话取自其居民记录；辖区外的居民为空）' })
    operator(@CurrentViewer() viewer: Viewer, @Parent() b: LedgerRow, @Context() ctx: object) {
      return this.residents.getById(viewer, b.operatorId, this.loaders.for(ctx));
    }
  }

  @Resolver(() => t.StaffType)
  class StaffResolver {
    constructor(private readonly records: LedgerRecordsService) {}

    @Needs('ledger:read')
    @Query(() => [t.StaffType], { description: '一个区划或网格的工作人员（本辖区及其上级区划）' })
    staff(@CurrentViewer() viewer: Viewer, @Args('orgUnitCode') orgUnitCode: string) {
      return this.records.staffOf(viewer, orgUnitCode);
    }

    @Needs('staff:write')
    @Mutation(() => t.StaffType, { description: '登记或修改工作人员' })
    upsertStaff(@CurrentViewer() viewer: Viewer, @Args('input', { type: () => t.UpsertStaffInput }) input: LedgerRow) {
      return this.records.upsertStaff(viewer, { ...input });
    }
  }

  @Resolver()
  class CatalogueResolver {
    constructor(
      private readonly orgUnitService: OrgUnitService,
      private readonly oneFormService: OneFormService,
      @Inject(DICTIONARY) private readonly dictionary: Dictionary,
    ) {}

    @Needs('views:read')
    @Query(() => [OrgUnitType], { description: '下级区划（本账号可见的）；不带 parentCode 时为区县' })
    orgUnits(@CurrentViewer() viewer: Viewer, @Args('parentCode', { type: () => String, nullable: true }) parentCode?: string | null) {
      return this.orgUnitService.children(viewer, parentCode);
    }

    @Needs('views:read')
    @Query(() => OrgUnitType, { description: '按代码查询区划或网格' })
    orgUnit(@CurrentViewer() viewer: Viewer, @Args('code') code: string) {
      return this.orgUnitService.get(viewer, code);
    }

    @Needs('ledger:read')
    @Query(() => OneFormType, { description: '一表通：各部门表单所需的居民字段，分区排列，每个字段注明供数的表单' })
    oneForm() {
      return this.oneFormService.oneForm();
    }

    @Needs('views:read')
    @Query(() => [CodeListType], { description: '全部代码表（性别、民族、婚姻状况等）' })
    codeLists() {
      return [...this.dictionary.codeLists.values()];
    }
  }

  return [ResidentResolver, HouseholdResolver, VisitResolver, BusinessResolver, StaffResolver, CatalogueResolver];
}

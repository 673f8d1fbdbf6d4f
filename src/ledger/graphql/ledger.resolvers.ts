import { Args, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { LedgerRow } from '../entities/ledger.entities.js';
import { LedgerRecordsService } from '../ledger-records.service.js';
import { OneFormService } from '../one-form.service.js';
import { OrgUnitService } from '../org-unit.service.js';
import { ResidentService } from '../resident.service.js';
import type { LedgerTypes } from './ledger-types.factory.js';
import { CodeListType, OneFormType } from './one-form.type.js';
import { OrgUnitType } from './org-unit.type.js';
import { DICTIONARY } from '../../dictionary/dictionary.module.js';
import type { Dictionary } from '../../dictionary/dictionary.types.js';
import { Inject } from '@nestjs/common';

/**
 * Resolvers for the ledger's public contract (oneForm, upsertResident, recordVisit, upsertBusiness, households,
 * resident, orgUnits). Thin: each calls one service. Built per dictionary because the types are.
 */
export function createLedgerResolvers(t: LedgerTypes) {
  @Resolver(() => t.ResidentType)
  class ResidentResolver {
    constructor(
      private readonly residents: ResidentService,
      private readonly records: LedgerRecordsService,
      private readonly orgUnits: OrgUnitService,
    ) {}

    @Query(() => t.ResidentType, { description: '按公民身份号码查询一位居民（可带空格、小写 x、15位旧号码）' })
    resident(@Args('idNumber') idNumber: string) {
      return this.residents.get(idNumber);
    }

    @Mutation(() => t.ResidentType, { description: '登记或修改一位居民：一次录入，各部门表单自动更新' })
    upsertResident(@Args('input', { type: () => t.UpsertResidentInput }) input: LedgerRow) {
      return this.residents.upsert({ ...input });
    }

    @ResolveField(() => OrgUnitType, { description: '所属网格' })
    grid(@Parent() r: LedgerRow) {
      return this.orgUnits.find(r.gridCode);
    }

    @ResolveField(() => t.HouseholdType, { nullable: true, description: '所在的户' })
    household(@Parent() r: LedgerRow) {
      return r.householdId ? this.records.household(r.householdId) : null;
    }

    @ResolveField(() => t.StaffType, { nullable: true, description: '包联干部' })
    liaisonStaff(@Parent() r: LedgerRow) {
      return this.records.staffById(r.liaisonStaffId);
    }

    @ResolveField(() => [t.VisitType], { description: '走访记录，最近的在前' })
    visits(@Parent() r: LedgerRow) {
      return this.records.visitsOf(r.id);
    }
  }

  @Resolver(() => t.HouseholdType)
  class HouseholdResolver {
    constructor(
      private readonly records: LedgerRecordsService,
      private readonly residents: ResidentService,
    ) {}

    @Query(() => [t.HouseholdType], { description: '一个网格内的户，按编号排列；after 为上一页最后一户的编号' })
    households(
      @Args('gridCode') gridCode: string,
      @Args('first', { type: () => Int, defaultValue: 100 }) first: number,
      @Args('after', { type: () => Int, defaultValue: 0 }) after: number,
    ) {
      return this.records.householdsInGrid(gridCode, first, after);
    }

    @Query(() => t.HouseholdType, { description: '按编号查询一户' })
    household(@Args('id', { type: () => Int }) id: number) {
      return this.records.household(id);
    }

    @Mutation(() => t.HouseholdType, { description: '新建或修改户（地址更正、住所类型、房东）' })
    upsertHousehold(@Args('input', { type: () => t.UpsertHouseholdInput }) input: LedgerRow) {
      return this.records.upsertHousehold({ ...input });
    }

    @ResolveField(() => [t.ResidentType], { description: '户内居民' })
    async members(@Parent() h: LedgerRow) {
      return this.residents.membersOf(h.id);
    }
  }

  @Resolver(() => t.VisitType)
  class VisitResolver {
    constructor(
      private readonly records: LedgerRecordsService,
      private readonly residents: ResidentService,
    ) {}

    @Mutation(() => t.VisitType, { description: '记录一次走访' })
    recordVisit(@Args('input', { type: () => t.RecordVisitInput }) input: LedgerRow) {
      return this.records.recordVisit({ ...input });
    }

    @ResolveField(() => t.ResidentType, { description: '走访对象' })
    resident(@Parent() v: LedgerRow) {
      return this.residents.getById(v.residentId);
    }

    @ResolveField(() => t.StaffType, { description: '走访人' })
    staff(@Parent() v: LedgerRow) {
      return this.records.staffById(v.staffId);
    }
  }

  @Resolver(() => t.BusinessType)
  class BusinessResolver {
    constructor(
      private readonly records: LedgerRecordsService,
      private readonly residents: ResidentService,
    ) {}

    @Query(() => [t.BusinessType], { description: '一个网格内的商户' })
    businesses(@Args('gridCode') gridCode: string) {
      return this.records.businessesInGrid(gridCode);
    }

    @Mutation(() => t.BusinessType, { description: '登记或修改商户；经营者按公民身份号码关联到居民' })
    upsertBusiness(@Args('input', { type: () => t.UpsertBusinessInput }) input: LedgerRow) {
      return this.records.upsertBusiness({ ...input });
    }

    @ResolveField(() => t.ResidentType, { description: '经营者（姓名、电话取自其居民记录）' })
    operator(@Parent() b: LedgerRow) {
      return this.residents.getById(b.operatorId);
    }
  }

  @Resolver(() => t.StaffType)
  class StaffResolver {
    constructor(private readonly records: LedgerRecordsService) {}

    @Query(() => [t.StaffType], { description: '一个区划或网格的工作人员' })
    staff(@Args('orgUnitCode') orgUnitCode: string) {
      return this.records.staffOf(orgUnitCode);
    }

    @Mutation(() => t.StaffType, { description: '登记或修改工作人员' })
    upsertStaff(@Args('input', { type: () => t.UpsertStaffInput }) input: LedgerRow) {
      return this.records.upsertStaff({ ...input });
    }
  }

  @Resolver()
  class CatalogueResolver {
    constructor(
      private readonly orgUnitService: OrgUnitService,
      private readonly oneFormService: OneFormService,
      @Inject(DICTIONARY) private readonly dictionary: Dictionary,
    ) {}

    @Query(() => [OrgUnitType], { description: '下级区划；不带 parentCode 时为全部区县' })
    orgUnits(@Args('parentCode', { type: () => String, nullable: true }) parentCode?: string | null) {
      return this.orgUnitService.children(parentCode);
    }

    @Query(() => OrgUnitType, { description: '按代码查询区划或网格' })
    orgUnit(@Args('code') code: string) {
      return this.orgUnitService.get(code);
    }

    @Query(() => OneFormType, { description: '一表通：各部门表单所需的居民字段，分区排列，每个字段注明供数的表单' })
    oneForm() {
      return this.oneFormService.oneForm();
    }

    @Query(() => [CodeListType], { description: '全部代码表（性别、民族、婚姻状况等）' })
    codeLists() {
      return [...this.dictionary.codeLists.values()];
    }
  }

  return [ResidentResolver, HouseholdResolver, VisitResolver, BusinessResolver, StaffResolver, CatalogueResolver];
}

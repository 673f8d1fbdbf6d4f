// 商户: run by adult residents of the community; licensed shops carry a valid 统一社会信用代码, stalls none.
import type { Ctx } from './context.js';
import { makeCreditCode } from './identifiers.js';
import type { Operator } from './residents.js';
import { businessName } from './texts.js';
import type { BusinessRow } from './types.js';

// 土桥正街社区: since the clean-up of 2024-10-11 (news report) nobody occupies the road any more
const NO_ROADSIDE = new Set(['500113005001']);

export function* businessesFor(ctx: Ctx, operators: Operator[], firstId: number): Generator<BusinessRow> {
  const { dice } = ctx;
  const community = ctx.grids[0].parentCode ?? '';
  const county = community.slice(0, 6);
  const placeName = ctx.plan.name.replace(/社区$/u, '');
  let id = firstId;
  for (const [i, op] of operators.entries()) {
    // the first business of a community is a licensed shop, the second a street vendor
    let mode = i === 0 ? '1' : i === 1 ? '3' : dice.weighted([['1', 62], ['2', 12], ['3', 26]]);
    let remarks: string | null = null;
    if (mode === '2' && NO_ROADSIDE.has(community)) {
      mode = '1';
      remarks = '2024年10月占道整治后迁入室内经营';
    }
    const licensed = mode === '1' ? i === 0 || dice.chance(0.95) : mode === '2' ? dice.chance(0.4) : false;
    const company = licensed && mode === '1' && dice.chance(0.12);
    const place = dice.chance(0.5) ? placeName : ctx.plan.roads[op.gridIndex % ctx.plan.roads.length].replace(/(路|街|大道)$/u, '');
    const [name, category] = businessName(dice, op.surname, place, mode, company);
    const road = ctx.plan.roads[op.gridIndex % ctx.plan.roads.length];
    const number = dice.int(1, 199);
    const address =
      mode === '1' ? `${ctx.prefix}${road}${number}号附${dice.int(1, 30)}号`
      : mode === '2' ? `${ctx.prefix}${road}${number}号门前`
      : `${ctx.prefix}${dice.chance(0.6) ? ctx.plan.market : road + '沿线'}（流动经营）`;
    if (remarks === null) {
      if (mode === '3' && dice.chance(0.3)) remarks = dice.pick(['赶集日经营', '早市经营', '夜市经营']);
      else if (mode === '2' && dice.chance(0.3)) remarks = '已劝导规范经营';
      else if (category === '1' && mode === '1' && dice.chance(0.1)) remarks = '已办理食品经营许可证';
    }
    yield {
      id,
      gridCode: ctx.grids[op.gridIndex].code,
      operatorId: op.id,
      businessName: name,
      creditCode: licensed ? makeCreditCode(id, county, company) : null,
      businessCategory: category,
      businessAddress: address,
      operatingMode: mode,
      employeeCount: mode === '1' ? (category === '1' ? dice.int(2, 8) : dice.int(1, 4)) : mode === '2' ? dice.int(1, 3) : dice.chance(0.7) ? dice.int(1, 2) : null,
      frontDoorPledgeSigned: mode === '1' ? dice.chance(0.9) : mode === '2' ? dice.chance(0.6) : null,
      businessRemarks: remarks,
    };
    id++;
  }
}

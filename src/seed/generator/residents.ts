// Residents: every dictionary field of a household's members, consistent with the dictionary's rules.
import { addDays, maxDate, minDate, randomDate } from './dates.js';
import type { Ctx } from './context.js';
import type { Household, Member } from './households.js';
import { createRng, deriveSeed, Dice } from './rng.js';
import { fullName, landline, mobile } from './names.js';
import { CHONGQING, TOWN_STREETS, TOWNS } from './places.js';
import * as text from './texts.js';
import { disability, ethnicity, healthStatus, politicalStatus, service, SUPPORT_AMOUNTS } from './traits.js';
import type { ResidentRow } from './types.js';

// Module-level aliases: under jest's vm sandbox every global lookup (Math, Number…) is slow.
const { max } = Math;

/** What visits and businesses need to know about a resident after its row has been handed out. */
export interface KeyPerson {
  id: number;
  gridIndex: number;
  birthDate: string;
  registeredOn: string;
  livingAlone: boolean;
  withoutFamily: boolean;
  prone: boolean;
  healthStatus: string | null;
  livingArrangement: string | null;
}

export interface Operator {
  id: number;
  gridIndex: number;
  surname: string;
  floating: boolean;
}

export interface OperatorQuota {
  target: number;
  chosen: number;
}

/** An occasional remark that fits the person. */
function remarkFor(dice: Dice, r: ResidentRow, age: number, address: string, aYearAgo: string): string | null {
  const options: string[] = [];
  if (age >= 60) {
    options.push('已安装燃气报警器', '长期服药', '已签约家庭医生');
    if (r.livingArrangement === '1' && (r.childrenCount ?? 0) > 0) options.push('子女在外地工作');
    if (r.healthStatus === '3' || r.healthStatus === '4') options.push('行动不便，需上门服务');
  } else {
    if (r.registrationType === '1' && r.hukouAddress !== address) options.push('人户分离');
    if (age >= 6 && age <= 22) options.push('在校学生');
    if (r.registeredOn >= aYearAgo) options.push('新迁入');
    if (age >= 18 && r.registrationType === '1' && r.employmentStatus !== '3') options.push('长期在外务工');
  }
  return options.length > 0 ? dice.pick(options) : null;
}

/** 居住状况 from who shares the household: 独居, 与配偶同住, 与子女同住, 与其他亲属同住, 其他. */
function livingArrangement(m: Member, members: Member[]): string {
  const others = members.filter((o) => o !== m);
  if (others.length === 0) return '1';
  const couple = m.role === 'head' || m.role === 'spouse';
  if ((couple && others.some((o) => o.role === 'child')) || (m.role === 'parent' && others.some((o) => o.role === 'head'))) return '3';
  if (couple && others.some((o) => o.role === 'head' || o.role === 'spouse')) return '2';
  return m.role === 'mate' ? '9' : '4';
}

/** The F02 condition on stored facts. */
export function withoutFamily(r: Pick<ResidentRow, 'maritalStatus' | 'childrenCount'>): boolean {
  return ['10', '30', '40'].includes(r.maritalStatus ?? '') && r.childrenCount === 0;
}

const REGISTER_START = '2018-01-01';

export function residentRows(
  ctx: Ctx,
  hh: Household,
  forced: boolean,
  quota: OperatorQuota,
): { rows: ResidentRow[]; keyPeople: KeyPerson[]; operators: Operator[] } {
  const { dice, today } = ctx;
  const rows: ResidentRow[] = [];
  const keyPeople: KeyPerson[] = [];
  const operators: Operator[] = [];

  for (const m of hh.members) {
    const age = m.age;
    const elderly = age >= 60;
    const adult = age >= 18;

    // ── disability, wandering, military service ─────────────────────────
    const dis = m.force.disability ?? disability(dice, age);
    let prone: '1' | '2' | '3' | null = m.force.prone ?? null;
    if (!prone && dis && (dis[0] === '5' || dis[0] === '6') && dice.chance(0.2)) prone = dis[0] === '5' ? '2' : '3';
    if (!prone && (age >= 75 ? dice.chance(0.035) : age >= 65 && dice.chance(0.01))) prone = '1';
    const veteran = m.force.veteran || (age >= 26 && age <= 95 && dice.chance(m.male ? 0.07 : 0.004));
    const svc = veteran ? service(dice, +(m.birthDate.slice(0, 4)), today, dis !== null) : null;

    // ── family facts ─────────────────────────────────────────────────────
    const marital = adult ? (m.marital ?? '10') : null;
    const childrenCount = m.childrenCount ?? (elderly ? (marital === '10' ? 0 : dice.int(1, 3)) : null);
    const living = elderly ? (m.careHome ? '5' : livingArrangement(m, hh.members)) : null;
    const f02 = elderly && withoutFamily({ maritalStatus: marital, childrenCount });
    const poverty = f02 && (m.force.poverty ?? false);

    // ── work ─────────────────────────────────────────────────────────────
    const eligibleOperator = age >= 20 && age <= 62 && !prone && !(dis && +(dis[1]) <= 2);
    const operator =
      eligibleOperator &&
      (m.force.operator === true ||
        quota.chosen < 2 ||
        (quota.chosen < quota.target && dice.chance((quota.target - quota.chosen) / max(1, (ctx.residentsLeft + 1) * 0.55))));
    if (operator) {
      quota.chosen++;
      operators.push({ id: m.id, gridIndex: hh.gridIndex, surname: m.surname, floating: hh.floating });
    }
    let employmentStatus: string | null = null;
    if (operator) employmentStatus = '1';
    else if (dis && age >= 16) employmentStatus = +(dis[1]) <= 2 || elderly ? '3' : dice.weighted([['1', 45], ['2', 45], ['3', 10]]);
    else if (age >= 18 && age < 60 && !(age <= 22 && dice.chance(0.5))) employmentStatus = dice.chance(0.76) ? '1' : '2';
    const employer = operator ? '个体经营' : employmentStatus === '1' ? text.employer(dice, ctx.districtName) : null;

    // ── contact ──────────────────────────────────────────────────────────
    let phone: string | null = null;
    if (age >= 18 && age < 75) phone = dice.chance(0.97) ? mobile(dice) : null;
    else if (age >= 75) phone = dice.weighted([['m', 60], ['l', 25], ['-', 15]]) === 'm' ? mobile(dice) : dice.chance(0.6) ? landline(dice) : null;
    else if (age >= 12 && dice.chance(0.4)) phone = mobile(dice);
    if (prone === '1' && phone === null && living === '1') phone = landline(dice);

    // ── hukou and floating ───────────────────────────────────────────────
    const hukouNature = hh.floating
      ? hh.ruralHukou ? '1' : dice.weighted([['3', 75], ['2', 25]])
      : hh.ruralHukou ? '1' : dice.weighted([['3', 78], ['2', 22]]);
    const hukouAddress = hh.floating
      ? (m.hukouAddress ?? hh.hukouAddress)
      : dice.chance(0.88)
        ? hh.row.currentAddress
        : `重庆市${dice.pick(CHONGQING).county}${dice.pick(TOWNS)}${dice.pick(TOWN_STREETS)}${dice.int(1, 300)}号`;
    const arrivalDate = hh.floating && hh.arrival ? maxDate(hh.arrival, m.birthDate) : null;
    let residenceReason: string | null = null;
    if (hh.floating) {
      if (operator) residenceReason = '2';
      else if (m.role === 'child') residenceReason = age >= 6 && age <= 18 ? '3' : '4';
      else if (m.role === 'spouse') residenceReason = dice.weighted([['1', 55], ['4', 35], ['2', 10]]);
      else residenceReason = dice.weighted([['1', 70], ['2', 8], ['3', age <= 24 ? 12 : 0], ['4', 8], ['9', 4]]);
    }

    // ── registration date ────────────────────────────────────────────────
    let registeredOn: string;
    if (arrivalDate) {
      registeredOn = arrivalDate < REGISTER_START
        ? randomDate(dice, REGISTER_START, '2018-12-31')
        : randomDate(dice, arrivalDate, minDate(addDays(arrivalDate, 90), today));
    } else {
      registeredOn = dice.chance(0.45) ? randomDate(dice, REGISTER_START, '2018-12-31') : randomDate(dice, '2019-01-01', today);
    }
    registeredOn = minDate(maxDate(registeredOn, m.birthDate), today);
    // the households made for every form were entered well before the visits of the last three months
    if (forced && registeredOn > addDays(today, -120)) registeredOn = maxDate(REGISTER_START, maxDate(m.birthDate, addDays(today, -400)));
    if (registeredOn > today) registeredOn = today;

    // ── benefits ─────────────────────────────────────────────────────────
    const benefits = elderly || dis !== null;
    const minimumLivingAllowance = benefits ? (poverty ? false : dice.chance(f02 ? 0.3 : dis ? 0.18 : 0.04)) : null;
    const supportMode = f02 ? (poverty ? (living === '5' ? '1' : '2') : '3') : null;
    const health = elderly || dis || prone ? healthStatus(dice, age, prone !== null, dis?.[1] ?? null) : null;

    const row: ResidentRow = {
      id: m.id,
      gridCode: hh.row.gridCode,
      householdId: hh.row.id,
      liaisonStaffId: f02 || prone ? dice.pick(ctx.cadres).id : null,
      idNumber: m.idNumber,
      name: m.name,
      ethnicity: m.role === 'child' && rows.length > 0 ? (rows[0].ethnicity as string) : ethnicity(dice, m.division),
      politicalStatus: politicalStatus(dice, age, veteran),
      maritalStatus: marital,
      hukouNature,
      hukouAddress,
      employmentStatus,
      employer,
      phone,
      livingArrangement: living,
      registrationType: hh.floating ? '2' : '1',
      registeredOn,
      childrenCount,
      emergencyContactName: null,
      emergencyContactRelation: null,
      emergencyContactPhone: null,
      guardianName: null,
      guardianRelation: null,
      guardianPhone: null,
      healthStatus: health,
      proneToWandering: prone ? true : elderly ? false : null,
      wanderingReason: prone,
      heightCm: prone ? (m.male ? dice.int(155, 174) : dice.int(145, 162)) : null,
      bodyType: prone ? dice.weighted([['1', 40], ['2', 45], ['3', 15]]) : null,
      physicalFeatures: prone ? dice.pick(text.PHYSICAL_FEATURES) : null,
      antiWanderingDevice: prone ? dice.weighted([['0', 35], ['1', 40], ['2', 20], ['9', 5]]) : null,
      photoCollected: prone ? dice.chance(0.8) : null,
      ...familyDoctor(elderly, m.idNumber),
      disabilityCategory: dis?.[0] ?? null,
      disabilityGrade: dis?.[1] ?? null,
      enlistmentDate: svc?.enlistmentDate ?? null,
      dischargeDate: svc?.dischargeDate ?? null,
      dischargeMethod: svc?.dischargeMethod ?? null,
      entitledGroup: svc?.entitledGroup ?? null,
      arrivalDate,
      residenceReason,
      residencePermit: hh.floating ? dice.chance(adult ? 0.6 : 0.2) : null,
      oldAgeAllowance: elderly ? age >= 80 && dice.chance(0.96) : null,
      minimumLivingAllowance,
      extremePovertySupport: benefits ? poverty : null,
      supportMode,
      monthlySupportAmount: supportMode === '1' || supportMode === '2' ? dice.pick(SUPPORT_AMOUNTS[supportMode]) : null,
      disabilityLivingSubsidy: dis ? minimumLivingAllowance === true || dice.chance(0.05) : null,
      severeDisabilityCareSubsidy: dis && +(dis[1]) <= 2 ? dice.chance(0.92) : null,
      remarks: null,
    };
    if (dice.chance(0.06)) row.remarks = remarkFor(dice, row, age, hh.row.currentAddress, addDays(today, -365));
    rows.push(row);
  }

  // ── people to call: emergency contacts, guardians (second pass, they may be household members) ──
  rows.forEach((row, i) => {
    const m = hh.members[i];
    const others = hh.members.map((o, j) => [o, rows[j]] as const).filter(([o]) => o !== m && o.age >= 18);
    // what `o` is to `m`: 配偶, 子女 or another relative
    const relation = (o: Member): string => {
      const couple = ['head', 'spouse'];
      if (m.role === 'mate' || o.role === 'mate') return '9';
      if (couple.includes(m.role) && couple.includes(o.role)) return '2';
      if ((couple.includes(m.role) && o.role === 'child') || (m.role === 'parent' && o.role === 'head')) return '1';
      return '3';
    };
    const contact = (): [string, string, string] => {
      const relative = others.find(([o]) => o.role === 'spouse' || o.role === 'head' || o.role === 'child');
      if (relative && relative[1].phone) return [relative[0].name, relation(relative[0]), relative[1].phone as string];
      if ((row.childrenCount ?? 0) > 0) {
        const childYear = +(m.birthDate.slice(0, 4)) + dice.int(22, 32);
        return [fullName(dice, dice.chance(0.5), childYear, m.male ? m.surname : undefined), '1', mobile(dice)];
      }
      return [fullName(dice, dice.chance(0.5), dice.int(1950, 1990)), dice.weighted([['3', 60], ['4', 30], ['9', 10]]), mobile(dice)];
    };
    const elderly = m.age >= 60;
    if (elderly && (row.livingArrangement === '1' || dice.chance(0.4))) {
      [row.emergencyContactName, row.emergencyContactRelation, row.emergencyContactPhone] = contact();
    }
    const severeMental = row.disabilityCategory !== null && ['5', '6', '7'].includes(row.disabilityCategory) && +(row.disabilityGrade ?? 9) <= 2;
    if (row.proneToWandering || (severeMental && m.age >= 18)) {
      [row.guardianName, row.guardianRelation, row.guardianPhone] = contact();
    }
    if (elderly || row.proneToWandering) {
      const livingAlone = row.livingArrangement === '1';
      const f02 = withoutFamily(row);
      if (livingAlone || f02 || row.proneToWandering) {
        keyPeople.push({
          id: row.id,
          gridIndex: hh.gridIndex,
          birthDate: m.birthDate,
          registeredOn: row.registeredOn,
          livingAlone,
          withoutFamily: f02,
          prone: row.proneToWandering === true,
          healthStatus: row.healthStatus,
          livingArrangement: row.livingArrangement,
        });
      }
    }
  });
  return { rows, keyPeople, operators };
}

/**
 * 家庭医生签约 of the 60-year-olds (most have signed). Drawn from a dice of its own, seeded by the ID number, so the
 * rest of the demo data stays what it was before these fields existed.
 */
function familyDoctor(elderly: boolean, idNumber: string): { familyDoctorSigned: boolean | null; familyDoctorName: string | null } {
  if (!elderly) return { familyDoctorSigned: null, familyDoctorName: null };
  const own = new Dice(createRng(deriveSeed(0x66d0c, idNumber)));
  const signed = own.chance(0.7);
  return { familyDoctorSigned: signed, familyDoctorName: signed ? fullName(own, own.chance(0.5), own.int(1965, 1995)) : null };
}

import type { AccountInput } from '../auth/accounts.service.js';

/** The demo password of every demo account (README lists them). Demo data only: never on a real deployment. */
export const DEMO_PASSWORD = 'yibiaotong2026';

/** One demo account per role, on the demo org units (500106 沙坪坝区, 500113 巴南区). */
export const DEMO_ACCOUNTS: AccountInput[] = [
  { username: 'admin', displayName: '系统管理员', role: 'admin' },
  { username: 'xiaxue', displayName: '夏雪（桥北社区第一网格网格员）', role: 'grid_worker', orgUnitCode: '500106108001001' },
  { username: 'qiaobei', displayName: '桥北社区工作者', role: 'community_staff', orgUnitCode: '500106108001' },
  { username: 'tuqiao', displayName: '土桥正街社区工作者', role: 'community_staff', orgUnitCode: '500113005001' },
  { username: 'chenjiaqiao', displayName: '陈家桥街道办事处', role: 'street_office', orgUnitCode: '500106108000' },
  { username: 'minzheng', displayName: '沙坪坝区民政局', role: 'department', department: '区民政局', orgUnitCode: '500106000000' },
  { username: 'canlian', displayName: '沙坪坝区残疾人联合会', role: 'department', department: '区残疾人联合会', orgUnitCode: '500106000000' },
  { username: 'wanggehua', displayName: '沙坪坝区网格化服务管理中心', role: 'department', department: '区网格化服务管理中心', orgUnitCode: '500106000000' },
  { username: 'paichusuo', displayName: '陈家桥派出所', role: 'department', department: '派出所', orgUnitCode: '500106108000', fullValues: true },
].map((a) => ({ ...a, password: DEMO_PASSWORD }));

// Places of the demo data set.
//
// Real (from the news report, see shared/domain/README.md): 重庆市沙坪坝区 (500106) 陈家桥街道 桥北社区, and
// 重庆市巴南区 (500113) 花溪街道 土桥正街社区 (with 屏都小区). The district codes 500106 and 500113 are the real
// GB/T 2260 codes; the 3-digit street and community codes below, the other streets' and communities' codes,
// the invented communities, every grid and every road/estate name are INVENTED for the demo.
import type { Dice } from './rng.js';

export interface CommunityPlan {
  code: string;
  name: string;
  /** one road per grid (grid i uses roads[i]); invented */
  roads: [string, string, string, string];
  /** optional estate name per grid, e.g. 屏都小区 */
  estates?: (string | null)[];
  /** market or gathering place used by street vendors; invented */
  market: string;
}

export interface StreetPlan {
  code: string;
  name: string;
  communities: CommunityPlan[];
}

export interface DistrictPlan {
  code: string;
  name: string;
  streets: StreetPlan[];
}

export const CITY = '重庆市';

export const DISTRICTS: DistrictPlan[] = [
  {
    code: '500106000000',
    name: '沙坪坝区',
    streets: [
      {
        code: '500106108000', // 陈家桥街道: real street, code as given in the project brief
        name: '陈家桥街道',
        communities: [
          // real community; roads invented
          { code: '500106108001', name: '桥北社区', roads: ['桥北路', '陈南路', '桥北二路', '新桥街'], market: '陈家桥老农贸市场' },
          // invented
          { code: '500106108002', name: '学城大道社区', roads: ['学城大道', '景阳路', '大学城北路', '明理路'], market: '学城大道农贸市场' },
        ],
      },
      {
        code: '500106109000', // 虎溪街道: real street name, invented code
        name: '虎溪街道',
        communities: [
          // invented
          { code: '500106109001', name: '虎溪花园社区', roads: ['虎溪路', '虎溪中路', '康居路', '富力路'], market: '虎溪农贸市场' },
          { code: '500106109002', name: '白鹤林社区', roads: ['白鹤林路', '鹤林二路', '曾家路', '西园路'], market: '白鹤林菜市场' },
        ],
      },
    ],
  },
  {
    code: '500113000000',
    name: '巴南区',
    streets: [
      {
        code: '500113005000', // 花溪街道: real street, invented code
        name: '花溪街道',
        communities: [
          // real community (屏都小区 is real, from the report); roads invented
          {
            code: '500113005001',
            name: '土桥正街社区',
            roads: ['土桥正街', '土桥支路', '花溪路', '屏都路'],
            estates: ['屏都小区', null, null, '屏都小区'],
            market: '土桥赶集点',
          },
          // invented
          { code: '500113005002', name: '红光社区', roads: ['红光大道', '红光二路', '炒油场路', '工业园路'], market: '红光农贸市场' },
        ],
      },
      {
        code: '500113006000', // 南泉街道: real street name, invented code
        name: '南泉街道',
        communities: [
          // invented
          { code: '500113006001', name: '南泉老街社区', roads: ['南泉老街', '虎啸口路', '温泉路', '仙女路'], market: '南泉农贸市场' },
          { code: '500113006002', name: '建文峰社区', roads: ['建文路', '建文峰路', '泉韵路', '迎龙路'], market: '建文菜市场' },
        ],
      },
    ],
  },
];

export const GRID_NAMES = ['第一网格', '第二网格', '第三网格', '第四网格'] as const;

export interface Division {
  code: string;
  province: string;
  city: string;
  county: string;
}

/** 重庆市 county-level divisions (GB/T 2260, real codes). */
export const CHONGQING: Division[] = (
  [
    ['500101', '万州区'], ['500102', '涪陵区'], ['500103', '渝中区'], ['500104', '大渡口区'], ['500105', '江北区'],
    ['500106', '沙坪坝区'], ['500107', '九龙坡区'], ['500108', '南岸区'], ['500109', '北碚区'], ['500110', '綦江区'],
    ['500111', '大足区'], ['500112', '渝北区'], ['500113', '巴南区'], ['500114', '黔江区'], ['500115', '长寿区'],
    ['500116', '江津区'], ['500117', '合川区'], ['500118', '永川区'], ['500119', '南川区'], ['500120', '璧山区'],
    ['500151', '铜梁区'], ['500152', '潼南区'], ['500153', '荣昌区'], ['500154', '开州区'], ['500155', '梁平区'],
    ['500156', '武隆区'], ['500229', '城口县'], ['500230', '丰都县'], ['500231', '垫江县'], ['500233', '忠县'],
    ['500235', '云阳县'], ['500236', '奉节县'], ['500237', '巫山县'], ['500238', '巫溪县'],
    ['500240', '石柱土家族自治县'], ['500241', '秀山土家族苗族自治县'], ['500242', '酉阳土家族苗族自治县'],
    ['500243', '彭水苗族土家族自治县'],
  ] as const
).map(([code, county]) => ({ code, province: '重庆市', city: '', county }));

/** Counties elsewhere that Chongqing's floating population mostly comes from (real GB/T 2260 codes). */
export const ELSEWHERE: readonly (readonly [Division, number])[] = (
  [
    ['511302', '四川省', '南充市', '顺庆区', 6], ['511321', '四川省', '南充市', '南部县', 5],
    ['511621', '四川省', '广安市', '岳池县', 6], ['511602', '四川省', '广安市', '广安区', 5],
    ['511702', '四川省', '达州市', '通川区', 5], ['511722', '四川省', '达州市', '宣汉县', 4],
    ['510502', '四川省', '泸州市', '江阳区', 3], ['511002', '四川省', '内江市', '市中区', 3],
    ['511502', '四川省', '宜宾市', '翠屏区', 3], ['511902', '四川省', '巴中市', '巴州区', 3],
    ['510107', '四川省', '成都市', '武侯区', 2], ['512002', '四川省', '资阳市', '雁江区', 2],
    ['520302', '贵州省', '遵义市', '红花岗区', 4], ['520322', '贵州省', '遵义市', '桐梓县', 3],
    ['520102', '贵州省', '贵阳市', '南明区', 2], ['522201', '贵州省', '铜仁市', '碧江区', 2],
    ['422801', '湖北省', '恩施土家族苗族自治州', '恩施市', 3], ['420502', '湖北省', '宜昌市', '西陵区', 2],
    ['420106', '湖北省', '武汉市', '武昌区', 1], ['430102', '湖南省', '长沙市', '芙蓉区', 1],
    ['433101', '湖南省', '湘西土家族苗族自治州', '吉首市', 1], ['530102', '云南省', '昆明市', '五华区', 1],
    ['532301', '云南省', '楚雄彝族自治州', '楚雄市', 1], ['610102', '陕西省', '西安市', '新城区', 1],
    ['610702', '陕西省', '汉中市', '汉台区', 1], ['410102', '河南省', '郑州市', '中原区', 1],
    ['620102', '甘肃省', '兰州市', '城关区', 1], ['360102', '江西省', '南昌市', '东湖区', 1],
    ['340102', '安徽省', '合肥市', '瑶海区', 1], ['450102', '广西壮族自治区', '南宁市', '兴宁区', 1],
  ] as const
).map(([code, province, city, county, w]) => [{ code, province, city, county }, w] as const);

export function divisionName(d: Division): string {
  return `${d.province}${d.city}${d.county}`;
}

/** Invented town and village names for 户籍地址 outside the community. */
export const TOWNS = [
  '龙泉镇', '新华镇', '石桥镇', '太平镇', '永兴镇', '青龙镇', '白庙镇', '双河镇', '金山镇', '观音桥镇',
  '马鞍镇', '龙凤镇', '兴隆镇', '复兴镇', '高桥镇', '长安镇', '三江镇', '仁和镇', '清平镇', '福禄镇',
] as const;
export const VILLAGES = [
  '红旗村', '光明村', '新农村', '桂花村', '柏林村', '大湾村', '石板村', '团结村', '高峰村', '双龙村',
  '回龙村', '竹林村', '凉水村', '黄桷村', '杨柳村', '狮子村', '水井村', '龙井村', '松林村', '三合村',
] as const;
export const TOWN_STREETS = [
  '人民路', '解放路', '建设路', '新华路', '中山路', '胜利路', '滨江路', '文化路', '和平路', '长江路',
] as const;

/** An invented 户籍地址 in a county elsewhere: a village for rural hukou, a street otherwise. */
export function hukouElsewhere(dice: Dice, home: Division, rural: boolean): string {
  return rural
    ? `${divisionName(home)}${dice.pick(TOWNS)}${dice.pick(VILLAGES)}${dice.int(1, 12)}组${dice.int(1, 60)}号`
    : `${divisionName(home)}${dice.pick(TOWN_STREETS)}${dice.int(1, 300)}号`;
}

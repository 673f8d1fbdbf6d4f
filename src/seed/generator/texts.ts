// Free-text pools: employers, visit notes, remarks, business names. All invented.
import type { Dice } from './rng.js';

const FIRM_WORDS = ['鑫达', '渝川', '华盛', '宏远', '恒通', '嘉陵', '金桥', '顺丰源', '天府', '瑞丰', '巴渝', '聚鑫', '长江', '山城', '新锐'];
const INDUSTRIES = ['物流', '机械制造', '电子科技', '建筑工程', '商贸', '餐饮管理', '物业管理', '汽车配件', '医药', '家政服务'];
const INSTITUTIONS = [
  '区人民医院', '街道社区卫生服务中心', '区第一中学', '区实验小学', '街道办事处', '区税务局', '区公交公司',
  '区供电公司', '中国邮政储蓄银行支行', '中国农业银行支行',
];

export function employer(dice: Dice, district: string): string {
  const roll = dice.next();
  if (roll < 0.55) return `重庆${dice.pick(FIRM_WORDS)}${dice.pick(INDUSTRIES)}有限公司`;
  if (roll < 0.75) return `${district}${dice.pick(INSTITUTIONS)}`;
  if (roll < 0.9) return '个体经营';
  return '灵活就业';
}

export const PHYSICAL_BY_HEALTH: Record<string, readonly string[]> = {
  '1': ['身体健康，精神状态良好', '身体状况良好，血压正常', '精神饱满，能外出散步'],
  '2': ['基本健康，有高血压，按时服药', '腿脚不太灵便，能自行走动', '患糖尿病，血糖控制平稳', '有慢性支气管炎，近期未发作'],
  '3': ['行动迟缓，需拄拐杖', '慢性病较多，长期服药', '听力下降，交流需大声', '视力较差，行动需注意安全'],
  '4': ['长期卧床，需专人照护', '生活不能自理，由家属照料', '近期住院后回家休养'],
};
export const PHYSICAL_COGNITIVE = ['记忆力明显减退，时常认不清人', '认知障碍，时有糊涂', '精神状态尚可，但表达不清'];

export const LIVING_ALONE = ['独自居住，生活能自理', '独自居住，子女定期探望', '家中整洁，饮食起居正常', '独居，邻居平时照应'];
export const LIVING_WITH_FAMILY = ['由老伴照顾起居', '与家人同住，照料到位', '家中卫生状况良好', '家属在家照看'];
export const LIVING_INSTITUTION = ['在养老机构集中供养，照护到位', '入住敬老院，生活有人照料'];

export const PROBLEMS = [
  '燃气软管老化，存在安全隐患', '家中电线老化', '卫生间地面湿滑，有跌倒风险', '常用药品快用完，行动不便购药困难',
  '反映楼道照明损坏', '反映医保报销手续不清楚', '冰箱内食物过期未清理', '近期有独自外出迷路情况', '热水器排烟管松脱',
];
export const VISIT_REMARKS = ['子女在场', '已提醒注意用电用气安全', '已留网格员联系方式', '下次入户复查', '已联系其子女告知情况'];


export const PHYSICAL_FEATURES = [
  '头发花白，说重庆话', '左脸有痣，走路略跛', '驼背，常穿深色外套', '戴老花眼镜，头发稀少', '右手有疤痕，说话口音重',
  '身材瘦小，常背布包', '短发，常戴毛线帽', '耳背，反应较慢',
];

type Category = '1' | '2' | '3' | '4' | '9';
const BUSINESS_KINDS: Record<Category, readonly string[]> = {
  '1': ['小面', '火锅', '烧烤', '豆花饭', '抄手', '串串香', '冷锅鱼', '包子铺', '酸辣粉', '江湖菜'],
  '2': ['便利店', '超市', '烟酒店', '五金店', '日杂店', '文具店', '手机店'],
  '3': ['蔬菜摊', '水果摊', '鲜肉摊', '禽蛋摊', '豆腐摊', '干货摊'],
  '4': ['理发店', '干洗店', '家电维修', '开锁配钥匙', '裁缝铺', '修鞋摊', '快递驿站'],
  '9': ['彩票站', '花店', '茶馆', '棋牌室'],
};
const SHOP_WORDS = ['鑫源', '顺心', '好运来', '老街', '诚信', '便民', '惠民', '邻里', '红梅', '金福'];

const STALL_KINDS: Partial<Record<Category, readonly string[]>> = {
  '1': ['凉面', '锅盔', '烤红薯', '豆花', '糍粑', '烧烤摊'],
  '4': ['修鞋摊', '配钥匙摊', '磨刀摊', '缝补摊'],
};
const COMPANY_TRADES: Record<Category, string> = { '1': '餐饮管理', '2': '商贸', '3': '农产品', '4': '家政服务', '9': '文化传播' };

/** A business name and its category; 流动摊贩 tend to be 农贸 or 餐饮 stalls. */
export function businessName(dice: Dice, surname: string, place: string, mode: string, company: boolean): [string, Category] {
  const category: Category =
    mode === '3'
      ? dice.weighted<Category>([['3', 5], ['1', 3], ['4', 1]])
      : dice.weighted<Category>([['1', 4], ['2', 3], ['3', 1], ['4', 2], ['9', 1]]);
  if (company) return [`重庆${dice.chance(0.5) ? place : dice.pick(SHOP_WORDS)}${COMPANY_TRADES[category]}有限公司`, category];
  const kind = dice.pick((mode === '3' ? STALL_KINDS[category] : undefined) ?? BUSINESS_KINDS[category]);
  const style = dice.int(0, 3);
  let name: string;
  if (mode === '3') name = `${surname}${dice.pick(['记', '氏', '姐', '哥'])}${kind}`;
  else if (style === 0) name = `${surname}记${kind}`;
  else if (style === 1) name = `${place}${kind}`;
  else if (style === 2) name = `${dice.pick(SHOP_WORDS)}${kind}`;
  else name = `老${surname}${kind}`;
  return [name, category];
}

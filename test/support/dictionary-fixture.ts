import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** New dictionary fields as a street's IT person would add them: a yes/no, a date that depends on it, a code. */
export const NEW_FIELDS = `
  # Added for the family-doctor form (F92): no migration, the start adds the columns.
  - { key: familyDoctorContract, label: 家庭医生签约, entity: resident, section: health, type: boolean, sensitivity: personal }
  - { key: familyDoctorContractDate, label: 家庭医生签约日期, entity: resident, section: health, type: date, notAfterToday: true, sensitivity: personal,
      onlyWhen: { field: familyDoctorContract, equals: true } }
  - { key: pensionInsurance, label: 养老保险参保情况, entity: resident, section: benefits, type: code, codeList: pension-insurance, sensitivity: personal }
`;

export const PENSION_LIST = `key: pension-insurance
name: 养老保险参保情况
standard: 本系统代码（部门表样的选项）
items:
  - { code: "1", name: 城镇职工养老保险 }
  - { code: "2", name: 城乡居民养老保险 }
  - { code: "9", name: 未参保 }
`;

export const F92_YAML = `code: F92
query: familyDoctorRoster
name: 家庭医生签约居民台账
department: 区卫生健康委
blankForm: forms/F92.xlsx
rows:
  entity: resident
  where:
    - { field: familyDoctorContract, equals: true }
  orderBy: [{ orgUnit: grid }, { field: name }]
columns:
  - { key: rowNumber, rowNumber: true }
  - { key: name, field: name }
  - { key: idNumber, field: idNumber }
  - { key: currentAddress, field: currentAddress }
  - { key: gridName, orgUnit: grid }
  - { key: contracted, field: familyDoctorContract, format: { yesNo: [已签约, 未签约] } }
  - { key: contractDate, field: familyDoctorContractDate, format: yyyy-mm-dd }
  - { key: pension, field: pensionInsurance, format: codeName }
`;

/** The F92 blank form in the house layout: title, 填报单位 row, a two-row header (print titles 3:4), a footer. */
export async function writeF92BlankForm(file: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('F92', { views: [{ state: 'frozen', xSplit: 0, ySplit: 4 }], pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '3:4' } });
  const top = ['序号', '姓名', '公民身份号码', '现居住地址', '所属网格', '家庭医生', '家庭医生', '养老保险参保情况'];
  const leaf = ['序号', '姓名', '公民身份号码', '现居住地址', '所属网格', '是否签约', '签约日期', '养老保险参保情况'];
  ws.getCell('A1').value = '____街道____社区家庭医生签约居民台账';
  ws.mergeCells('A1:H1');
  ws.getCell('A2').value = '填报单位（盖章）：';
  ws.mergeCells('A2:D2');
  ws.getCell('E2').value = '填报日期：    年  月  日';
  ws.mergeCells('E2:H2');
  top.forEach((t, i) => (ws.getCell(3, i + 1).value = t));
  leaf.forEach((t, i) => (ws.getCell(4, i + 1).value = t));
  for (const c of ['A', 'B', 'C', 'D', 'E', 'H']) ws.mergeCells(`${c}3:${c}4`);
  ws.mergeCells('F3:G3');
  ws.columns = [6, 10, 21, 24, 12, 10, 12, 18].map((width) => ({ width }));
  ws.getCell('A10').value = '填表人：';
  ws.getCell('E10').value = '审核人：';
  await wb.xlsx.writeFile(file);
}

/** A copy of templates/ with the new fields, code list, blank form and F92 template. */
export async function templatesWithNewField(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yibiaotong-dictionary-'));
  fs.cpSync(path.join(ROOT, 'templates'), dir, { recursive: true });
  fs.appendFileSync(path.join(dir, 'dictionary.yaml'), NEW_FIELDS);
  fs.writeFileSync(path.join(dir, 'code-lists/pension-insurance.yaml'), PENSION_LIST);
  await writeF92BlankForm(path.join(dir, 'forms/F92.xlsx'));
  fs.writeFileSync(path.join(dir, 'F92.yaml'), F92_YAML);
  return dir;
}

/** Rewrites one field's line of a templates folder's dictionary (the field's first line, by its key). */
export function editField(dir: string, key: string, edit: (line: string) => string): void {
  const file = path.join(dir, 'dictionary.yaml');
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const at = lines.findIndex((l) => l.includes(`{ key: ${key},`));
  if (at < 0) throw new Error(`字段 ${key} 不在 ${file} 中`);
  lines[at] = edit(lines[at]);
  fs.writeFileSync(file, lines.join('\n'));
}

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * "One place decides what a viewer may touch": outside src/access, no code compares a viewer's area, role, department
 * or entitlement itself, nor builds the code prefix a repository filters by. Services ask the AccessPolicy; a new
 * resolver that filtered by hand would fail here (and its leak would fail access-walk.spec.ts).
 */

const SRC = path.resolve('src');

/** What only the policy may do, each with why. */
const RULES: { pattern: RegExp; why: string }[] = [
  { pattern: /\b(?:viewer|context\.viewer|req\.viewer|ctx\.viewer)\??\.(?:scope|role|department|fullValues)\b/, why: 'reads the viewer\'s area, role, department or entitlement: ask the AccessPolicy' },
  { pattern: /\b(?:inScope|isAncestorOfScope|templateAllowed)\s*\(/, why: 'a hand-written scope check: ask the AccessPolicy' },
  { pattern: /\bcodePrefix\s*\(/, why: 'builds a code prefix by hand: repositories take the CodeRange the AccessPolicy grants' },
  { pattern: /\.startsWith\(\s*(?:viewer|v)\.scope/, why: 'compares codes against the viewer\'s area: ask the AccessPolicy' },
];

/**
 * The few places that may read those attributes for another reason, each named: the login that builds the viewer,
 * and the audit lines that record who asked (role, and whether the file held full values).
 */
const ALLOWED: { file: string; text: string }[] = [
  { file: 'src/auth/auth.service.ts', text: 'codePrefix(unit.code, unit.level)' },
  { file: 'src/ledger/org-codes.ts', text: 'export function codePrefix(' },
  { file: 'src/audit/audit.service.ts', text: 'role: viewer.role' },
  { file: 'src/excel/export.service.ts', text: 'fullValues: viewer.fullValues' },
];

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(full);
    else if (entry.name.endsWith('.ts')) yield full;
  }
}

/** Each line outside src/access that breaks a rule, with the (first) rule's reason. */
function violations(file: string, text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trimStart().startsWith('//') || line.trimStart().startsWith('*')) return; // comments may name the rule
    const rule = RULES.find((r) => r.pattern.test(line));
    if (rule && !ALLOWED.some((a) => a.file === file && line.includes(a.text))) found.push(`${file}:${i + 1}: ${rule.why}\n    ${line.trim()}`);
  });
  return found;
}

describe('one scoping mechanism', () => {
  it('no code outside src/access decides access by itself', () => {
    const files = [...sources(SRC)].map((f) => path.relative(process.cwd(), f).split(path.sep).join('/')).filter((f) => !f.startsWith('src/access/'));
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((f) => violations(f, readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });

  it('catches the hand-written checks it is there to catch', () => {
    const service = [
      "if (!row.gridCode.startsWith(viewer.scope)) throw new NotFoundError('x');",
      "if (viewer.role === 'department') return [];",
      'const rows = await this.residents.search(codePrefix(unit.code, unit.level), text, 50);',
      'return inScope(viewer, unit.code);',
      'if (!context.viewer?.fullValues) return mask(value);',
    ].join('\n');
    expect(violations('src/ledger/new.service.ts', service)).toHaveLength(5);
    // The named exceptions hold only in their own file.
    expect(violations('src/excel/export.service.ts', 'const filter = { fullValues: viewer.fullValues };')).toEqual([]);
    expect(violations('src/views/views.service.ts', 'const filter = { fullValues: viewer.fullValues };')).toHaveLength(1);
  });

  it('every file the policy names as an exception still holds its line (a stale exception would hide a new one)', () => {
    for (const a of ALLOWED) expect(readFileSync(a.file, 'utf8')).toContain(a.text);
  });
});

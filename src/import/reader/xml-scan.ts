import { ImportFileError } from './import-file-error.js';

/**
 * Receives the tokens of an XML part. Attributes are not parsed up front: `open` gets the buffer and the range of
 * the tag's attribute text, and reads only what it needs with `readAttributes` (a sheet's cells are millions of tags).
 */
export interface ScanHandler {
  open(name: string, buf: string, attrStart: number, attrEnd: number): void;
  close(name: string): void;
  /** Character data, entities decoded, possibly in several pieces. */
  text(text: string): void;
  /** Whether text is wanted now; between cells it is only whitespace. */
  wantText: boolean;
}

/** Longest unfinished construct (tag, comment, CDATA) held across chunks; Excel's are a few hundred bytes. */
const MAX_PENDING = 4 * 1024 * 1024;

const LT = 60;
const SLASH = 47;
const BANG = 33;
const QUESTION = 63;
const GT = 62;

/**
 * A streaming tokenizer for the parts of an .xlsx (SpreadsheetML is machine-written, namespace prefixes aside).
 * Linear in the input, holds at most one unfinished construct, and refuses any DOCTYPE or ENTITY declaration:
 * without a DTD no entity can expand, so XML bombs have nothing to work with. It does not check nesting; what
 * it cannot tokenize is reported as a damaged file.
 */
export class XmlScanner {
  private pending = '';
  private started = false;

  constructor(
    private readonly entry: string,
    private readonly h: ScanHandler,
  ) {}

  write(chunk: string): void {
    let s = this.pending ? this.pending + chunk : chunk;
    if (!this.started && s.length) {
      this.started = true;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    }
    const h = this.h;
    const n = s.length;
    let i = 0;
    while (i < n) {
      const lt = s.indexOf('<', i);
      if (lt < 0) {
        // Keep an entity cut by the chunk boundary ("&am" … "p;") for the next chunk.
        const amp = s.lastIndexOf('&');
        const cut = amp >= i && s.indexOf(';', amp) < 0 && n - amp < 12 ? amp : n;
        if (h.wantText && cut > i) h.text(decodeText(s.slice(i, cut)));
        i = cut;
        break;
      }
      if (lt > i && h.wantText) h.text(decodeText(s.slice(i, lt)));
      if (lt + 1 >= n) {
        i = lt;
        break;
      }
      const c = s.charCodeAt(lt + 1);
      if (c === SLASH) {
        const gt = s.indexOf('>', lt + 2);
        if (gt < 0) {
          i = lt;
          break;
        }
        h.close(localName(s, lt + 2, trimEnd(s, lt + 2, gt)));
        i = gt + 1;
      } else if (c === QUESTION) {
        const end = s.indexOf('?>', lt + 2);
        if (end < 0) {
          i = lt;
          break;
        }
        i = end + 2;
      } else if (c === BANG) {
        const next = this.special(s, lt);
        if (next < 0) {
          i = lt;
          break;
        }
        i = next;
      } else {
        const gt = tagEnd(s, lt + 1);
        if (gt === MALFORMED) throw damaged(this.entry, '标记中出现 "<"');
        if (gt < 0) {
          i = lt;
          break;
        }
        let nameEnd = lt + 1;
        while (nameEnd < gt && !isSpace(s.charCodeAt(nameEnd)) && s.charCodeAt(nameEnd) !== SLASH) nameEnd++;
        const selfClosing = s.charCodeAt(gt - 1) === SLASH;
        const name = localName(s, lt + 1, nameEnd);
        h.open(name, s, nameEnd, selfClosing ? gt - 1 : gt);
        if (selfClosing) h.close(name);
        i = gt + 1;
      }
    }
    this.pending = i < n ? s.slice(i) : '';
    if (this.pending.length > MAX_PENDING) throw damaged(this.entry, '标记过长');
  }

  end(): void {
    if (this.pending.trim()) throw damaged(this.entry, '内容不完整');
  }

  /** Comments, CDATA and declarations after "<!"; returns where scanning resumes, or -1 to wait for more input. */
  private special(s: string, lt: number): number {
    if (s.startsWith('<!--', lt)) {
      const end = s.indexOf('-->', lt + 4);
      return end < 0 ? -1 : end + 3;
    }
    if (s.startsWith('<![CDATA[', lt)) {
      const end = s.indexOf(']]>', lt + 9);
      if (end < 0) return -1;
      if (this.h.wantText) this.h.text(s.slice(lt + 9, end));
      return end + 3;
    }
    if (s.length - lt < 9) return -1; // may still become one of the above, or a declaration
    if (/^<!(DOCTYPE|ENTITY)/i.test(s.slice(lt, lt + 9))) {
      throw new ImportFileError('XML_ENTITIES', `文件内容 ${this.entry} 含有 XML 实体声明（DOCTYPE/ENTITY），这不是 Excel 生成的文件，已拒绝读取`);
    }
    throw damaged(this.entry, `无法识别的标记 ${s.slice(lt, lt + 9)}`);
  }
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/** The ">" ending a start tag, skipping quoted attribute values (which may hold ">"). */
function tagEnd(s: string, from: number): number {
  for (let j = from; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === GT) return j;
    if (c === 34 || c === 39) {
      j = s.indexOf(c === 34 ? '"' : "'", j + 1);
      if (j < 0) return -1;
    } else if (c === LT) return MALFORMED;
  }
  return -1;
}

const MALFORMED = -2;
const decodeText = (raw: string) => (raw.includes('&') ? decodeEntities(raw) : raw);

function trimEnd(s: string, from: number, to: number): number {
  while (to > from && isSpace(s.charCodeAt(to - 1))) to--;
  return to;
}

/** The name without its namespace prefix (x:c → c); the sheet's hot names come back without allocating. */
function localName(s: string, from: number, to: number): string {
  for (let k = from; k < to; k++) if (s.charCodeAt(k) === 58) from = k + 1;
  const len = to - from;
  if (len === 1) {
    switch (s.charCodeAt(from)) {
      case 99: return 'c';
      case 118: return 'v';
      case 116: return 't';
      case 102: return 'f';
      case 114: return 'r';
    }
  } else if (len === 3 && s.startsWith('row', from)) return 'row';
  else if (len === 2 && s.startsWith('is', from)) return 'is';
  return s.slice(from, to);
}

/** Where one attribute's name and value are in the buffer (value without its quotes, entities not decoded). */
export interface AttributeSpan {
  nameStart: number;
  nameEnd: number;
  valueStart: number;
  valueEnd: number;
}

/** Finds the next attribute at or after `i` (before `to`); returns the index after it, or -1 when there is none. */
export function nextAttribute(buf: string, i: number, to: number, a: AttributeSpan): number {
  while (i < to && isSpace(buf.charCodeAt(i))) i++;
  const eq = buf.indexOf('=', i);
  if (eq < 0 || eq >= to) return -1;
  let q = eq + 1;
  while (q < to && isSpace(buf.charCodeAt(q))) q++;
  const quote = buf.charCodeAt(q);
  if (quote !== 34 && quote !== 39) return -1;
  const close = buf.indexOf(quote === 34 ? '"' : "'", q + 1);
  if (close < 0 || close > to) return -1;
  a.nameStart = i;
  a.nameEnd = trimEnd(buf, i, eq);
  a.valueStart = q + 1;
  a.valueEnd = close;
  return close + 1;
}

const span: AttributeSpan = { nameStart: 0, nameEnd: 0, valueStart: 0, valueEnd: 0 };

/** Calls `each` with every attribute of a tag (qualified name, decoded value). */
export function readAttributes(buf: string, from: number, to: number, each: (name: string, value: string) => void): void {
  for (let i = nextAttribute(buf, from, to, span); i >= 0; i = nextAttribute(buf, i, to, span)) {
    const raw = buf.slice(span.valueStart, span.valueEnd);
    each(buf.slice(span.nameStart, span.nameEnd), raw.includes('&') ? decodeEntities(raw) : raw);
  }
}

/** All attributes as an object keyed by qualified name (for the small parts: workbook, relationships, styles). */
export function attributesOf(buf: string, from: number, to: number): Record<string, string> {
  const out: Record<string, string> = {};
  readAttributes(buf, from, to, (k, v) => void (out[k] = v));
  return out;
}

/**
 * A copy of a string that does not keep the chunk it was cut from alive: V8 makes a slice of 13 or more characters
 * a view into its parent, so keeping a cell's text would keep the whole decoded sheet in memory.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The five predefined entities and character references; anything else is left as written. */
export function decodeEntities(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/g, (whole, e: string) => {
    if (e[0] !== '#') return NAMED[e];
    const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

const damaged = (entry: string, why: string) =>
  new ImportFileError('NOT_XLSX', `无法读取：文件内容 ${entry} 已损坏（${why}）。请用 Excel 打开后重新保存为 .xlsx 再上传`);

import { ImportFileError } from '../../../src/import/reader/import-file-error.js';
import { attributesOf, decodeEntities, type ScanHandler, XmlScanner } from '../../../src/import/reader/xml-scan.js';

/** Tokens as a flat list, text pieces merged, so that any chunking must give the same list. */
function tokens(chunks: string[]): string[] {
  const out: string[] = [];
  const h: ScanHandler = {
    wantText: true,
    open: (name, buf, from, to) => void out.push(`<${name} ${JSON.stringify(attributesOf(buf, from, to))}`),
    close: (name) => void out.push(`</${name}`),
    text: (t) => {
      if (out.length && out[out.length - 1].startsWith('#')) out[out.length - 1] += t;
      else out.push(`#${t}`);
    },
  };
  const scanner = new XmlScanner('test.xml', h);
  for (const c of chunks) scanner.write(c);
  scanner.end();
  return out;
}

const DOC =
  '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- a comment with <tags> -->' +
  '<x:worksheet xmlns:x="urn:x"><x:sheetData><row r="1" spans="1:3"><c r="A1" t="inlineStr"><is><t xml:space="preserve"> 张三 &amp; 李四 </t></is></c>' +
  '<c r=\'B1\' s="2"><v>1.5</v></c><c r="C1" t="str" a=">"><f>A1&amp;"x"</f><v>&#x4E2D;&#20013;&lt;&gt;&quot;&apos;</v></c>' +
  '<c r="D1"/><c r="E1" t="inlineStr"><is><t><![CDATA[<not a tag> &amp;]]></t></is></c></row></x:sheetData></x:worksheet>';

describe('XmlScanner', () => {
  test('tokenizes SpreadsheetML: prefixes, quotes, entities, CDATA, comments, self-closing tags', () => {
    const t = tokens([DOC]);
    expect(t).toContain('<worksheet {"xmlns:x":"urn:x"}');
    expect(t).toContain('# 张三 & 李四 ');
    expect(t).toContain('<c {"r":"C1","t":"str","a":">"}');
    expect(t).toContain('#A1&"x"');
    expect(t).toContain('#中中<>"\'');
    expect(t).toContain('<c {"r":"D1"}');
    expect(t[t.indexOf('<c {"r":"D1"}') + 1]).toBe('</c');
    expect(t).toContain('#<not a tag> &amp;');
    expect(t.filter((x) => x.startsWith('<') && !x.startsWith('</')).length).toBe(t.filter((x) => x.startsWith('</')).length);
  });

  test('gives the same tokens however the input is cut into chunks', () => {
    const whole = tokens([DOC]);
    for (let cut = 1; cut < DOC.length; cut++) expect(tokens([DOC.slice(0, cut), DOC.slice(cut)])).toEqual(whole);
    expect(tokens([...DOC])).toEqual(whole); // one character at a time
  });

  test.each([
    ['<!DOCTYPE lolz [<!ENTITY lol "lol">]><a>&lol;</a>'],
    ['<?xml version="1.0"?><!ENTITY x "y"><a/>'],
    ['<?xml version="1.0"?><!doctype a SYSTEM "http://example.com/a.dtd"><a/>'],
  ])('refuses a DTD: %s', (xml) => {
    const run = () => tokens([xml]);
    expect(run).toThrow(ImportFileError);
    expect(run).toThrow(expect.objectContaining({ code: 'XML_ENTITIES' }));
    // …also when the declaration is cut across chunks
    expect(() => tokens([xml.slice(0, 3), xml.slice(3)])).toThrow(expect.objectContaining({ code: 'XML_ENTITIES' }));
  });

  test('a DTD behind a long comment, several chunks in, is still refused', () => {
    const xml = `<?xml version="1.0"?><!--${'x'.repeat(300_000)}--><!DOCTYPE a [<!ENTITY b "c">]><a/>`;
    const chunks = xml.match(/[\s\S]{1,65536}/g)!;
    expect(() => tokens(chunks)).toThrow(expect.objectContaining({ code: 'XML_ENTITIES' }));
  });

  test('broken input is a damaged file, not a crash or a hang', () => {
    expect(() => tokens(['<a><b c="1" < d="2"></a>'])).toThrow(expect.objectContaining({ code: 'NOT_XLSX' }));
    expect(() => tokens(['<a><b c="never closed'])).toThrow(expect.objectContaining({ code: 'NOT_XLSX' }));
    expect(() => tokens(['<a><!-- unfinished'])).toThrow(expect.objectContaining({ code: 'NOT_XLSX' }));
    // an unfinished tag may not grow without bound while waiting for its end
    const scanner = new XmlScanner('x.xml', { wantText: false, open() {}, close() {}, text() {} });
    scanner.write('<a b="');
    expect(() => {
      for (let i = 0; i < 100; i++) scanner.write('y'.repeat(100_000));
    }).toThrow(expect.objectContaining({ code: 'NOT_XLSX' }));
  });

  test('decodes the predefined entities and character references, leaves others as written', () => {
    expect(decodeEntities('&lt;&amp;&gt;&quot;&apos;&#65;&#x42;&#x1F600;&nbsp;&#0;')).toBe('<&>"\'AB😀&nbsp;&#0;');
  });
});

import { attributesOf, type ScanHandler, XmlScanner } from './xml-scan.js';
import type { ZipGuard } from './zip-guard.js';

/** Streams one XML entry of the zip through the scanner; `shouldStop` ends reading early. */
export async function scanXmlEntry(zip: ZipGuard, entry: string, handler: ScanHandler, shouldStop?: () => boolean): Promise<void> {
  const scanner = new XmlScanner(entry, handler);
  const decoder = new TextDecoder('utf-8'); // faster than StringDecoder on CJK text; keeps split characters
  let stopped = false;
  await zip.read(entry, (chunk) => {
    scanner.write(decoder.decode(chunk, { stream: true }));
    if (shouldStop?.()) stopped = true;
    return !stopped;
  });
  if (!stopped) {
    scanner.write(decoder.decode());
    scanner.end();
  }
}

/** Handlers with attributes as an object: for the small parts (workbook, relationships, styles, strings). */
export interface XmlHandlers {
  open(name: string, attributes: Record<string, string>): void;
  close?(name: string): void;
  text?(text: string): void;
  /** When given, text is passed on only while this says so. */
  wantText?(): boolean;
}

export function parseXmlEntry(zip: ZipGuard, entry: string, handlers: XmlHandlers): Promise<void> {
  const handler: ScanHandler = {
    wantText: false,
    open(name, buf, from, to) {
      handlers.open(name, attributesOf(buf, from, to));
      handler.wantText = !!handlers.text && (handlers.wantText?.() ?? true);
    },
    close(name) {
      handlers.close?.(name);
      handler.wantText = !!handlers.text && (handlers.wantText?.() ?? true);
    },
    text(t) {
      handlers.text!(t);
    },
  };
  return scanXmlEntry(zip, entry, handler);
}

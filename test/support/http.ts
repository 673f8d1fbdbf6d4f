import type request from 'supertest';

/** A supertest parser that keeps the body as bytes (.xlsx, CSV), whatever the content type. */
export function binary(res: request.Response, callback: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

import { GraphQLSchemaHost } from '@nestjs/graphql';
import { printSchema } from 'graphql';
import { createTestApp, type TestApp } from '../support/test-app.js';

// The schema is the public contract integrators build on: any change to it shows up here for review.
describe('the GraphQL schema', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('is generated from the dictionary and matches the reviewed snapshot', () => {
    const sdl = printSchema(t.app.get(GraphQLSchemaHost).schema);
    expect(sdl).toContain('upsertResident(input: UpsertResidentInput!): Resident!');
    expect(sdl).toMatch(/"""\s*民族；代码表 ethnic-group/);
    expect(sdl).toMatchSnapshot();
  });
});

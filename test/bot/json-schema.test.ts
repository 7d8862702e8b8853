import { describe, expect, it } from 'vitest';
import { botJsonSchema } from '../../src/bot/json-schema.js';
import { stepTypeNames } from './step-type-names.js';

describe('botJsonSchema', () => {
  const schema = botJsonSchema();

  it('has an id and a title for editors', () => {
    expect(schema).toMatchObject({ $id: 'urn:parley:bot-file:1', title: 'Parley bot file', type: 'object' });
    expect(schema['$schema']).toMatch(/json-schema\.org/);
  });

  it('requires only what an author must write, not what has a default', () => {
    expect(schema['required']).toEqual(expect.arrayContaining(['format', 'id', 'name', 'start', 'scripts']));
    expect(schema['required']).not.toContain('settings');
    expect(schema['required']).not.toContain('triggers');
  });

  it('names every step type', () => {
    const text = JSON.stringify(schema);
    for (const type of stepTypeNames) expect(text).toContain(`"const":"${type}"`);
  });
});

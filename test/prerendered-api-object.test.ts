import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { splitDocuments } from '../src/prerendered-api-object';

describe('splitDocuments', () => {
  test('splits as text.split(/^---\\n/m) does, on texts made of lines, markers and near-markers', () => {
    const piece = fc.constantFrom('---\n', '---', '--\n', '----\n', ' ---\n', 'a', 'b: c\n', '\n', '---x\n', '\n---');
    fc.assert(fc.property(fc.array(piece, { maxLength: 12 }).map(ps => ps.join('')), text => {
      expect(splitDocuments(text)).toEqual(text.split(/^---\n/m));
    }), { numRuns: 5_000, seed: 3 });
  });
});

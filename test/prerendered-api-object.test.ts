import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { splitDocuments } from '../src/prerendered-api-object';

describe('splitDocuments', () => {
  test('splits bytes as text.split(/^---\\n/m) splits their text, on texts made of lines, markers and near-markers', () => {
    const piece = fc.constantFrom('---\n', '---', '--\n', '----\n', ' ---\n', 'a', 'b: c\n', '\n', '---x\n', '\n---', 'é: ü\n');
    fc.assert(fc.property(fc.array(piece, { maxLength: 12 }).map(ps => ps.join('')), text => {
      const bytes = Buffer.from(text);
      const docs = splitDocuments(bytes);
      expect(docs.map(d => d.toString())).toEqual(text.split(/^---\n/m));
      // Views of the bytes read, not copies (which would lie elsewhere, even in Buffer's shared pool).
      for (const d of docs) {
        expect(d.buffer).toBe(bytes.buffer);
        expect(d.byteOffset >= bytes.byteOffset && d.byteOffset + d.length <= bytes.byteOffset + bytes.length).toBe(true);
      }
    }), { numRuns: 5_000, seed: 3 });
  });
});

import * as fs from 'fs';
import * as path from 'path';
import { expect, test } from 'vitest';
import { renderApiDocs } from '../scripts/api-docs';
import { ROOT } from './util';

test('API.md is what `npm run docs` writes from the current sources', () => {
  expect(fs.readFileSync(path.join(ROOT, 'API.md'), 'utf8')).toBe(renderApiDocs());
});

test('every props field of every construct is documented with a default', () => {
  const md = renderApiDocs();
  const propsTables = md.split('### interface ').filter(s => /^`\w+Props`/.test(s));
  expect(propsTables.length).toBeGreaterThanOrEqual(8);
  for (const table of propsTables) {
    for (const row of table.split('\n').filter(l => l.startsWith('| `'))) {
      const [, , , def, desc] = row.split(' | ').map(s => s.trim());
      expect(def, `${table.slice(0, 40)}: ${row}`).not.toBe('');
      expect(desc?.replace(/\|$/, '').trim(), `${table.slice(0, 40)}: ${row}`).not.toBe('');
    }
  }
});

// The README is read in minutes and links to docs/ for the rest; every link between them lands somewhere.
import * as fs from 'fs';
import * as path from 'path';
import { expect, test } from 'vitest';
import { ROOT } from './util';

const DOCS = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter(f => f.endsWith('.md')).map(f => `docs/${f}`)];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
function anchors(text: string): Set<string> {
  return new Set(text.split('\n').filter(l => /^#{1,6} /.test(l)).map(l => l.replace(/^#+ /, '').trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')));
}

test('the README stays short: at most 15,000 characters, the rest in docs/', () => {
  expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').length).toBeLessThanOrEqual(15_000);
});

test.each(DOCS)('every relative link of %s names a file that exists, and a heading of it', file => {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const broken: string[] = [];
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^https?:/.test(target)) continue;
    const [rel, anchor] = target.split('#');
    const abs = rel === '' ? path.join(ROOT, file) : path.resolve(path.dirname(path.join(ROOT, file)), rel);
    if (!fs.existsSync(abs)) { broken.push(`${target}: no such file`); continue; }
    if (anchor !== undefined && abs.endsWith('.md') && !anchors(fs.readFileSync(abs, 'utf8')).has(anchor)) broken.push(`${target}: no such heading`);
  }
  expect(broken).toEqual([]);
});

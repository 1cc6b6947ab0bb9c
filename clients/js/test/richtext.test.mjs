// The chat's rich-text subset: what becomes markup, and that nothing else
// does (markup, unsafe links and half-written syntax stay text).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRichText, safeHref } from '@rtc-backend/client';

const text = (t) => ({ kind: 'text', text: t });

test('bold, italics, code and links become segments', () => {
  assert.deepEqual(parseRichText('a **big** _deal_ and *this* with `x < y`'), [
    text('a '),
    { kind: 'bold', children: [text('big')] },
    text(' '),
    { kind: 'italic', children: [text('deal')] },
    text(' and '),
    { kind: 'italic', children: [text('this')] },
    text(' with '),
    { kind: 'code', text: 'x < y' },
  ]);
  assert.deepEqual(parseRichText('see [the docs](https://example.com/a?b=1) or https://example.org/x.'), [
    text('see '),
    { kind: 'link', href: 'https://example.com/a?b=1', text: 'the docs' },
    text(' or '),
    { kind: 'link', href: 'https://example.org/x', text: 'https://example.org/x' },
    text('.'),
  ]);
  assert.deepEqual(parseRichText('**bold with `code`**'), [
    { kind: 'bold', children: [text('bold with '), { kind: 'code', text: 'code' }] },
  ]);
});

test('unsafe links, markup and half-written syntax stay text', () => {
  for (const raw of [
    '[click](javascript:alert(1))',
    '[x](data:text/html,<script>alert(1)</script>)',
    '<img src=x onerror=alert(1)>',
    '<a href=javascript:alert(1)>x</a>',
    'snake_case_name and 2*3*4',
    '** not bold** and *not italic *',
    'an unclosed `tick',
    'javascript:alert(1)',
  ]) {
    const segs = parseRichText(raw);
    const links = segs.filter((s) => s.kind === 'link');
    assert.deepEqual(links, [], raw);
    if (!raw.includes('2*3*4')) assert.deepEqual(segs, [text(raw)], raw);
  }
  // Markup around a real address: the address is linked, every character
  // still shows as written.
  const raw = '<a href="https://example.com">x</a>';
  const segs = parseRichText(raw);
  assert.equal(segs.map((s) => s.text).join(''), raw);
  assert.deepEqual(segs.filter((s) => s.kind === 'link').map((s) => s.href), ['https://example.com/']);
  assert.equal(safeHref('JavaScript:alert(1)'), null);
  assert.equal(safeHref('mailto:a@example.com'), 'mailto:a@example.com');
  assert.equal(safeHref('/relative'), null);
});

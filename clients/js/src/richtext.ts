// richtext.ts: the chat's rich text, a safe Markdown-like subset. The
// server stores what was written (escaped as text); a page renders it
// with these functions, which build DOM nodes and never parse HTML, so
// markup in a message can only ever show as text.
//
//   **bold**   *italic* or _italic_   `code`   [label](https://…)   https://…
//
// Links keep only the http:, https: and mailto: schemes; any other link is
// shown as the text that was written. Anything else is text.

/** One piece of a message's rich text. */
export type RichSegment =
  | { kind: 'text'; text: string }
  | { kind: 'bold'; children: RichSegment[] }
  | { kind: 'italic'; children: RichSegment[] }
  | { kind: 'code'; text: string }
  | { kind: 'link'; href: string; text: string };

/** Link schemes that are kept; others stay text. */
const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

/** `url` as a link target, if it is absolute with a safe scheme. */
export function safeHref(url: string): string | null {
  try {
    const u = new URL(url);
    return SAFE_SCHEMES.has(u.protocol) ? u.href : null;
  } catch {
    return null;
  }
}

const WORD = /[\p{L}\p{N}_]/u;
const TRAILING_PUNCTUATION = /[.,;:!?'")\]]+$/;

/** Parses `text` into segments (see the module comment for the subset). */
export function parseRichText(text: string): RichSegment[] {
  return parse(text, true);
}

function parse(text: string, allowBold: boolean): RichSegment[] {
  const out: RichSegment[] = [];
  let plain = '';
  const flush = () => {
    if (plain) out.push({ kind: 'text', text: plain });
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const m = matchAt(text, i, rest, allowBold);
    if (m) {
      flush();
      out.push(m.segment);
      i += m.length;
    } else {
      plain += text[i];
      i += 1;
    }
  }
  flush();
  return out;
}

function matchAt(
  text: string,
  i: number,
  rest: string,
  allowBold: boolean,
): { segment: RichSegment; length: number } | null {
  const ch = rest[0];
  if (ch === '`') {
    const end = rest.indexOf('`', 1);
    if (end > 1) return { segment: { kind: 'code', text: rest.slice(1, end) }, length: end + 1 };
    return null;
  }
  if (allowBold && rest.startsWith('**')) {
    const end = rest.indexOf('**', 2);
    const inner = end > 2 ? rest.slice(2, end) : '';
    if (inner && inner.trim() === inner) {
      return { segment: { kind: 'bold', children: parse(inner, false) }, length: end + 2 };
    }
    return null;
  }
  if (ch === '*' || ch === '_') {
    // `_` only at word edges, so snake_case stays text.
    if (ch === '_' && i > 0 && WORD.test(text[i - 1])) return null;
    const end = rest.indexOf(ch, 1);
    const inner = end > 1 ? rest.slice(1, end) : '';
    const after = text[i + end + 1];
    if (!inner || inner.trim() !== inner || inner.includes('\n')) return null;
    if (ch === '_' && after !== undefined && WORD.test(after)) return null;
    return { segment: { kind: 'italic', children: parse(inner, false).filter((s) => s.kind !== 'italic') }, length: end + 1 };
  }
  if (ch === '[') {
    const m = /^\[([^\]\n]+)\]\(([^)\s]+)\)/.exec(rest);
    const href = m && safeHref(m[2]);
    if (m && href) return { segment: { kind: 'link', href, text: m[1] }, length: m[0].length };
    return null;
  }
  if ((ch === 'h' || ch === 'm') && (i === 0 || !WORD.test(text[i - 1]))) {
    const m = /^(?:https?:\/\/|mailto:)[^\s<>]+/.exec(rest);
    if (!m) return null;
    const url = m[0].replace(TRAILING_PUNCTUATION, '');
    const href = safeHref(url);
    if (href) return { segment: { kind: 'link', href, text: url }, length: url.length };
  }
  return null;
}

/**
 * Renders `text` as DOM nodes of `doc`: text nodes, `<strong>`, `<em>`,
 * `<code>` and `<a>` (opening in a new tab, without a referrer).
 */
export function renderRichText(text: string, doc: Document = document): DocumentFragment {
  const frag = doc.createDocumentFragment();
  append(frag, parseRichText(text), doc);
  return frag;
}

function append(parent: Node, segments: RichSegment[], doc: Document): void {
  for (const s of segments) {
    switch (s.kind) {
      case 'text':
        parent.appendChild(doc.createTextNode(s.text));
        break;
      case 'code': {
        const el = doc.createElement('code');
        el.textContent = s.text;
        parent.appendChild(el);
        break;
      }
      case 'bold':
      case 'italic': {
        const el = doc.createElement(s.kind === 'bold' ? 'strong' : 'em');
        append(el, s.children, doc);
        parent.appendChild(el);
        break;
      }
      case 'link': {
        const a = doc.createElement('a');
        a.href = s.href;
        a.textContent = s.text;
        a.target = '_blank';
        a.rel = 'noopener noreferrer nofollow';
        parent.appendChild(a);
        break;
      }
    }
  }
}

export interface Token { text: string; kind: 'comment' | 'string' | 'number' | 'keyword' | null }

const KEYWORDS = new Set(('async await break case catch class const continue def default del do elif else export extends false '
  + 'finally fn for from func function go if impl import in interface let match mod new nil None null package pass pub raise '
  + 'return self select static struct switch this throw true True False try type typeof use var void while with yield').split(' '));

const PATTERN = /(\/\/[^\n]*|#[^\n]*|\/\*[\s\S]*?\*\/)|("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)|(\b\d[\d_]*(?:\.\d+)?(?:e[+-]?\d+)?\b)|([A-Za-z_$][\w$]*)/g;

/** Splits code into tokens for colouring; the text is only ever drawn as text nodes. */
export function tokenize(code: string): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  for (const m of code.matchAll(PATTERN)) {
    const index = m.index ?? 0;
    if (index > last) tokens.push({ text: code.slice(last, index), kind: null });
    const kind = m[1] ? 'comment' : m[2] ? 'string' : m[3] ? 'number' : KEYWORDS.has(m[4]!) ? 'keyword' : null;
    const previous = tokens[tokens.length - 1];
    if (kind === null && previous && previous.kind === null) previous.text += m[0];
    else tokens.push({ text: m[0], kind });
    last = index + m[0].length;
  }
  if (last < code.length) tokens.push({ text: code.slice(last), kind: null });
  return tokens;
}

/**
 * What kind of text a string is. Shared by the built-in analyzer (which picks diff, code or
 * markdown from it) and the fingerprint (two payloads of the same keys but different kinds of
 * text must not share a render). Only the first part of a long string is looked at.
 */
export type TextKind = 'datetime' | 'url' | 'diff' | 'code' | 'markdown' | 'multiline' | 'text';

const HEAD = 4_000;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const URL_TEXT = /^https?:\/\/\S+$/;

export function isIsoDateTime(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 40 && ISO_DATETIME.test(value) && !Number.isNaN(Date.parse(value));
}

/** A unified diff: hunk headers, or file headers followed by +/- lines. */
export function looksLikeDiff(text: string): boolean {
  if (/^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@/m.test(text)) return true;
  if (/^diff --git /m.test(text)) return true;
  return /^--- \S.*\n\+\+\+ \S/m.test(text);
}

const CODE_LINE = [
  /^\s*(?:import|export)\s+[\w{*]/,
  /^\s*(?:const|let|var)\s+\w+\s*=/,
  /^\s*(?:async\s+)?function\s+\w*\s*\(/,
  /^\s*def\s+\w+\s*\(.*\)\s*(?:->\s*[\w\[\], .]+)?:\s*$/,
  /^\s*class\s+\w+(?:\s*\(.*\))?\s*[:{]\s*$/,
  /^\s*(?:public|private|protected|static)\s+[\w<>\[\]]+\s+\w+\s*\(/,
  /^\s*#include\s*[<"]/,
  /^\s*(?:fn|pub fn|impl|use)\s+\w/,
  /^\s*(?:SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE TABLE)\b.+/i,
  /^\s*(?:if|for|while)\s*\(.*\)\s*\{\s*$/,
  /^\s*return\b.*;\s*$/,
  /^\s*\}\s*(?:else\s*\{)?\s*$/,
  /^#!\//,
];

/** Unmistakable code: several lines, and a good share of them are code-shaped. */
export function looksLikeCode(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) return false;
  const codeLines = lines.filter((line) => CODE_LINE.some((re) => re.test(line)) || /[;{}]\s*$/.test(line)).length;
  return codeLines >= 2 && codeLines / lines.length >= 0.4;
}

/** Markdown structure: headings, lists, links, fences, tables or emphasis on several lines. */
export function looksLikeMarkdown(text: string): boolean {
  let score = 0;
  if (/^#{1,6} \S/m.test(text)) score += 2;
  if (/^```/m.test(text)) score += 2;
  if (/^\s*(?:[-*+]|\d+\.) \S/m.test(text)) score += 1;
  if (/\[[^\]\n]+\]\([^)\s]+\)/.test(text)) score += 1;
  if (/^\|.+\|\s*$/m.test(text) && /^\|?\s*:?-{3,}/m.test(text)) score += 2;
  if (/(\*\*|__)[^*_\n]+\1/.test(text)) score += 1;
  if (/^> \S/m.test(text)) score += 1;
  return score >= 2;
}

export function textKind(value: string): TextKind {
  if (isIsoDateTime(value)) return 'datetime';
  if (value.length <= 2_000 && URL_TEXT.test(value)) return 'url';
  const head = value.length > HEAD ? value.slice(0, HEAD) : value;
  if (!head.includes('\n')) return looksLikeMarkdown(head) ? 'markdown' : 'text';
  if (looksLikeDiff(head)) return 'diff';
  // Fenced blocks are Markdown holding code; otherwise code wins (a `# comment` is no heading).
  if (/^```/m.test(head)) return 'markdown';
  if (looksLikeCode(head)) return 'code';
  if (looksLikeMarkdown(head)) return 'markdown';
  return 'multiline';
}

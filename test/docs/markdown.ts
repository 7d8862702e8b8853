// Reading the repository's Markdown as a reader's tools do: fenced code blocks with their info
// string, links outside code, and the anchors GitHub makes of headings.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');

export function readDoc(relativePath: string): string {
  return readFileSync(join(root, relativePath), 'utf8');
}

export interface CodeBlock {
  /** The first word of the info string (```json parcels.bot.json → "json"). */
  language: string;
  /** The rest of the info string: the file the README tells the reader to save it as. */
  name: string;
  text: string;
  /** 1-based line of the opening fence. */
  line: number;
}

export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(```+)\s*(\S*)\s*(.*)$/.exec(lines[i]!);
    if (open === null) continue;
    const [, indent = '', fence = '```', language = '', name = ''] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j]!.trimStart().startsWith(fence); j++) body.push(lines[j]!.startsWith(indent) ? lines[j]!.slice(indent.length) : lines[j]!);
    blocks.push({ language, name: name.trim(), text: `${body.join('\n')}\n`, line: i + 1 });
    i = j;
  }
  return blocks;
}

/** Markdown without its fenced blocks and code spans, where a link is not a link. */
function prose(markdown: string): string {
  return markdown.replace(/^\s*(```+)[^\n]*\n[\s\S]*?^\s*\1\s*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Every link target: inline `[text](target)`, images, and reference definitions `[id]: target`. */
export function linkTargets(markdown: string): string[] {
  const text = prose(markdown);
  const inline = [...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const references = [...text.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((m) => m[1]!);
  return [...inline, ...references];
}

/** The anchors GitHub gives the headings of a Markdown file. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const heading of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = heading[1]!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

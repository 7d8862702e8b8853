// The flow as SVG (`parley graph BOT --format svg`, and the studio's graph), laid out by ELK's
// layered algorithm. The names the studio's browser tests rely on are fixed by the spec: the
// svg is an image named "Flow", and each step's group carries `data-step="SCRIPT#INDEX"`.
// Only presentation attributes, no <style>: the studio puts this SVG inline in its page, where
// a stylesheet would reach the whole page.
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { Bot } from '../bot/bot.js';
import { flowOf, type FlowEdge, type FlowNode } from './flow.js';

const fontSize = 12;
const lineHeight = 16;
/** A generous average for sans-serif at 12 px: text measured short would overflow its box. */
const charWidth = 6.4;
const wrapAt = 30;
const maxLines = 4;
const padX = 10;
const padY = 8;

const fill: Record<string, string> = {
  message: '#eaf2ff',
  question: '#fff4dc',
  authToken: '#efe6ff',
  webService: '#e3f6ea',
  condition: '#ffe9e6',
  set: '#f2f2f2',
  goto: '#f2f2f2',
  forgetToken: '#efe6ff',
  end: '#e4e4e4',
};

interface Box {
  node: FlowNode;
  lines: string[];
  width: number;
  height: number;
}

export async function svgOf(bot: Bot): Promise<string> {
  const flow = flowOf(bot);
  const boxes = new Map<string, Box>();
  const box = (node: FlowNode): ElkNode => {
    const lines = node.detail === undefined ? [] : wrap(node.detail);
    const longest = Math.max(node.title.length, ...lines.map((l) => l.length));
    const b: Box = { node, lines, width: Math.max(node.kind === 'step' ? 140 : 70, Math.ceil(longest * charWidth) + 2 * padX), height: (1 + lines.length) * lineHeight + 2 * padY };
    boxes.set(node.id, b);
    return { id: node.id, width: b.width, height: b.height };
  };

  // Authors read a bot top to bottom, in file order. ELK breaks cycles its own way across
  // scripts, so a way back to an earlier step (the menu again) is given to it reversed: it then
  // stays below that step and is drawn with its arrow at the other end.
  const order = new Map<string, number>();
  for (const node of [...flow.entries, ...flow.scripts.flatMap((s) => s.nodes)]) order.set(node.id, order.size);
  const backwards = flow.edges.map((edge) => order.get(edge.to)! < order.get(edge.from)!);
  const edges: ElkExtendedEdge[] = flow.edges.map((edge, i) => ({
    id: `e${i}`,
    sources: [backwards[i] ? edge.to : edge.from],
    targets: [backwards[i] ? edge.from : edge.to],
    ...(edge.label === undefined ? {} : { labels: [{ text: edge.label, width: Math.ceil(edge.label.length * charWidth * (11 / fontSize)) + 8, height: 14 }] }),
  }));
  const graph: ElkNode = {
    id: 'flow',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.spacing.nodeNode': '28',
      'elk.spacing.edgeNode': '16',
      'elk.spacing.edgeEdge': '10',
      'elk.spacing.edgeLabel': '4',
      'elk.layered.spacing.edgeNodeBetweenLayers': '16',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.edgeLabels.inline': 'false',
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
      'elk.padding': '[top=16,left=16,bottom=16,right=16]',
    },
    children: [
      ...flow.entries.map(box),
      ...flow.scripts.map((script) => ({
        id: `script:${script.id}`,
        layoutOptions: { 'elk.padding': '[top=34,left=14,bottom=14,right=14]' },
        children: script.nodes.map(box),
      })),
    ],
    edges,
  };
  // elkjs is CommonJS: under NodeNext its types put the class on `.default`, which the bundle sets too.
  const laid = await new ELK.default().layout(graph);

  const out: string[] = [];
  const width = Math.ceil(laid.width ?? 0);
  const height = Math.ceil(laid.height ?? 0);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Flow" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="Helvetica, Arial, sans-serif" font-size="${fontSize}">`,
    `<title>Flow</title>`,
    `<desc>${xml(`The flow of ${bot.name}: every script, step and way out.`)}</desc>`,
    '<defs>',
    '<marker id="parley-flow-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker>',
    '<marker id="parley-flow-arrow-failure" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#b3261e"/></marker>',
    '</defs>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  );
  for (const script of laid.children ?? []) {
    if (!script.id.startsWith('script:')) continue;
    const id = script.id.slice('script:'.length);
    out.push(
      `<g data-script="${xml(id)}">`,
      `<rect x="${n(script.x)}" y="${n(script.y)}" width="${n(script.width)}" height="${n(script.height)}" rx="8" fill="#fafafa" stroke="#9a9a9a" stroke-dasharray="4 3"/>`,
      '</g>',
    );
  }
  for (const [i, edge] of (laid.edges ?? []).entries()) out.push(...drawEdge(edge, flow.edges[i]!, backwards[i]!));
  // Titles over the edges that enter their script, on a ground of their own, so both stay legible.
  for (const script of laid.children ?? []) {
    if (!script.id.startsWith('script:')) continue;
    const title = `script ${script.id.slice('script:'.length)}`;
    const x = (script.x ?? 0) + 8;
    const y = (script.y ?? 0) + 6;
    out.push(
      `<rect x="${n(x)}" y="${n(y)}" width="${n(title.length * 7.4 + 8)}" height="20" rx="3" fill="#fafafa"/>`,
      `<text x="${n(x + 4)}" y="${n(y + 15)}" font-weight="bold" font-size="13" fill="#333">${xml(title)}</text>`,
    );
  }
  const drawn = [...(laid.children ?? []).filter((c: ElkNode) => !c.id.startsWith('script:')), ...(laid.children ?? []).flatMap((c: ElkNode) => (c.id.startsWith('script:') ? (c.children ?? []) : []))];
  for (const node of drawn) out.push(...drawNode(node, boxes.get(node.id)!));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function drawNode(laid: ElkNode, b: Box): string[] {
  const x = laid.x ?? 0;
  const y = laid.y ?? 0;
  const { node } = b;
  const pill = node.kind !== 'step' || node.type === 'end';
  const colour = node.kind === 'start' ? '#2d3a4a' : node.kind === 'trigger' ? '#fff' : node.kind === 'end' ? '#e4e4e4' : (fill[node.type ?? ''] ?? '#fff');
  const ink = node.kind === 'start' ? '#fff' : '#1d1d1d';
  const attrs = node.kind === 'step' ? ` data-step="${xml(node.id)}"` : ` data-node="${xml(node.id)}"`;
  const lines = [
    `<g${attrs}>`,
    `<rect x="${n(x)}" y="${n(y)}" width="${n(b.width)}" height="${n(b.height)}" rx="${pill ? n(Math.min(b.height / 2, 16)) : 4}" fill="${colour}" stroke="${node.kind === 'trigger' ? '#777' : '#4d4d4d'}"${node.kind === 'trigger' ? ' stroke-dasharray="4 3"' : ''}/>`,
    `<text x="${n(x + padX)}" y="${n(y + padY + 12)}" fill="${ink}">`,
    `<tspan font-weight="bold">${xml(node.title)}</tspan>`,
    ...b.lines.map((line) => `<tspan x="${n(x + padX)}" dy="${lineHeight}">${xml(line)}</tspan>`),
    '</text>',
    '</g>',
  ];
  return lines;
}

function drawEdge(laid: ElkExtendedEdge, edge: FlowEdge, backwards: boolean): string[] {
  const dashed = edge.kind === 'failure' || edge.kind === 'trigger';
  const colour = edge.kind === 'failure' ? '#b3261e' : edge.kind === 'trigger' ? '#777' : '#555';
  const out: string[] = [`<g data-edge="${xml(`${edge.from}->${edge.to}`)}" data-way="${edge.kind}">`];
  for (const section of laid.sections ?? []) {
    const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
    out.push(
      `<path d="${points.map((p, i) => `${i === 0 ? 'M' : 'L'}${n(p.x)},${n(p.y)}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="1.3"${dashed ? ' stroke-dasharray="5 4"' : ''} ${backwards ? 'marker-start' : 'marker-end'}="url(#parley-flow-arrow${edge.kind === 'failure' ? '-failure' : ''})"/>`,
    );
  }
  for (const label of laid.labels ?? []) {
    out.push(
      `<rect x="${n(label.x)}" y="${n(label.y)}" width="${n(label.width)}" height="${n(label.height)}" rx="3" fill="#ffffff" fill-opacity="0.9"/>`,
      `<text x="${n((label.x ?? 0) + 4)}" y="${n((label.y ?? 0) + 11)}" font-size="11" fill="${colour}">${xml(label.text ?? '')}</text>`,
    );
  }
  out.push('</g>');
  return out;
}

/** Words on lines of at most `wrapAt` characters, at most `maxLines` of them. */
function wrap(text: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.replace(/\s+/g, ' ').trim().split(' ')) {
    for (let piece = word; piece.length > 0; ) {
      const room = line === '' ? wrapAt : wrapAt - line.length - 1;
      if (piece.length <= room) {
        line = line === '' ? piece : `${line} ${piece}`;
        piece = '';
      } else if (line !== '') {
        lines.push(line);
        line = '';
      } else {
        lines.push(piece.slice(0, wrapAt));
        piece = piece.slice(wrapAt);
      }
    }
  }
  if (line !== '') lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${kept[maxLines - 1]!.slice(0, wrapAt - 1)}…`;
  return kept;
}

function n(value: number | undefined): string {
  return String(Math.round((value ?? 0) * 10) / 10);
}

function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

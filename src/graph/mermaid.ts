// The flow as Mermaid text (`parley graph BOT`): pasted into a Markdown file on GitHub, GitLab
// or a wiki, it draws itself. Each script is a subgraph; failure ways and triggers are dotted.
import type { Bot } from '../bot/bot.js';
import { flowOf, type FlowEdge, type FlowNode } from './flow.js';

export function mermaidOf(bot: Bot): string {
  const flow = flowOf(bot);
  const ids = new Map<string, string>();
  // Script ids are lowercase letters, digits and dashes, so `_` cannot collide with them.
  const idOf = (id: string) => {
    let safe = ids.get(id);
    if (safe === undefined) ids.set(id, (safe = `n_${id.replace(/-/g, '_').replace('#', '__')}`));
    return safe;
  };
  const lines = ['flowchart TD'];
  for (const node of flow.entries) lines.push(`  ${idOf(node.id)}${shape(node)}`);
  for (const script of flow.scripts) {
    lines.push(`  subgraph s_${script.id.replace(/-/g, '_')}["script ${text(script.id)}"]`);
    for (const node of script.nodes) lines.push(`    ${idOf(node.id)}${shape(node)}`);
    lines.push('  end');
  }
  for (const edge of flow.edges) lines.push(`  ${idOf(edge.from)} ${arrow(edge)} ${idOf(edge.to)}`);
  return `${lines.join('\n')}\n`;
}

function shape(node: FlowNode): string {
  const label = `"${[node.kind === 'step' ? `<b>${text(node.title)}</b>` : text(node.title), ...(node.detail === undefined ? [] : [text(clip(node.detail))])].join('<br/>')}"`;
  switch (node.kind) {
    case 'start':
      return `((${label}))`;
    case 'trigger':
      return `>${label}]`;
    case 'end':
      return `([${label}])`;
    case 'step':
      switch (node.type) {
        case 'question':
          return `[/${label}/]`;
        case 'condition':
          return `{${label}}`;
        case 'authToken':
          return `{{${label}}}`;
        case 'webService':
          return `[[${label}]]`;
        case 'end':
          return `([${label}])`;
        default:
          return `[${label}]`;
      }
  }
}

function arrow(edge: FlowEdge): string {
  const dotted = edge.kind === 'failure' || edge.kind === 'trigger';
  const head = dotted ? '-.->' : '-->';
  return edge.label === undefined ? head : `${head}|"${text(edge.label)}"|`;
}

function clip(detail: string): string {
  return detail.length > 60 ? `${detail.slice(0, 57)}…` : detail;
}

/** Text Mermaid shows as it is: its own entity codes for what its grammar would read. */
function text(value: string): string {
  return value.replace(/[#"<>|{}[\]()`\n\r]/g, (c) => (c === '\n' || c === '\r' ? ' ' : `#${c.charCodeAt(0)};`));
}

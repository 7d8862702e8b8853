// `parley graph BOT [--format mermaid|svg]`: the flow the studio draws, for a README or a review.
import type { Bot } from '../bot/bot.js';
import { mermaidOf } from '../graph/mermaid.js';
import { svgOf } from '../graph/svg.js';

export async function graph(bot: Bot, format: 'mermaid' | 'svg'): Promise<string> {
  return format === 'svg' ? svgOf(bot) : mermaidOf(bot);
}

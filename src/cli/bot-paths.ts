// `validate`'s files: the same as a BOT_DIR server serves (src/bot/bot-paths.ts).
export { botPaths, type BotPath } from '../bot/bot-paths.js';

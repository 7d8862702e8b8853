// Every step type's component. Typed as a Registry, so a step type without one does not compile.
import { authToken } from './auth-token.js';
import type { Registry } from './component.js';
import { condition } from './condition.js';
import { end } from './end.js';
import { forgetToken } from './forget-token.js';
import { goto } from './goto.js';
import { message } from './message.js';
import { question } from './question.js';
import { set } from './set.js';
import { webService } from './web-service.js';

export const registry: Registry = { message, question, authToken, webService, condition, set, goto, forgetToken, end };

// The step types in the order the schema lists them, as messages name them.
import { step } from '../../src/bot/schema.js';

export const stepTypeNames: readonly string[] = step.options.map((option) => option.shape.type.value);

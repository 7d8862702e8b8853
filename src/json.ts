// A JSON value: what conversations keep in variables, services answer, and templates fill.
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Where a rendered template was refused; a caller can route on it without reading the message. */
export type TemplateErrorCode = 'template-url' | 'template-header';

/**
 * A template that rendered to something its context cannot carry. The message names the
 * template and its placeholders, never a value: values can be tokens or secrets.
 */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  readonly code: TemplateErrorCode;

  constructor(code: TemplateErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** HTML that is already escaped: the only thing {@link html} interpolates without escaping. */
export class SafeHtml {
  /** The markup. */
  readonly value: string;

  constructor(value: string) {
    this.value = value;
  }

  /** The markup, so a `SafeHtml` can be written to a response as it is. */
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/**
 * Escapes text for an HTML text node or a quoted attribute value. Every character that can end a
 * text node or an attribute value is replaced, so the same escaping serves both places.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

/** A value {@link html} accepts: text (escaped), markup, nothing, or a list of those. */
export type HtmlValue = string | number | boolean | SafeHtml | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map((v) => render(v)).join('');
  return escapeHtml(String(value));
}

/**
 * A tagged template that escapes every interpolated value unless it is {@link SafeHtml}, so markup
 * can only come from template literals in this code, never from an Application or the cluster.
 * `null`, `undefined` and `false` render as nothing, which keeps conditional fragments short.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/**
 * A URL path segment: percent-encodes everything but unreserved characters, so a name can never
 * add a path separator, a query or a fragment to a link.
 */
export function pathSegment(text: string): string {
  return encodeURIComponent(text);
}

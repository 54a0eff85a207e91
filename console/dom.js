// Builds the page from data with textContent and attributes only: a value from the server is
// never parsed as HTML, and nothing here sets an event handler or a style by attribute (the
// Content-Security-Policy would refuse both).

/** @typedef {string | number | boolean | null | undefined} AttributeValue */
/** @typedef {Node | string | number | null | undefined | false} Child */

/**
 * @param {Element} element
 * @param {Record<string, AttributeValue>} attributes `true` sets an empty attribute; false, null and undefined set none
 * @param {Child[]} children strings become text nodes
 */
function fill(element, attributes, children) {
  for (const [name, value] of Object.entries(attributes)) {
    if (/^on|^style$/i.test(name)) throw new Error(`${name}: not allowed by the Content-Security-Policy`);
    if (value === true) element.setAttribute(name, '');
    else if (value !== false && value !== null && value !== undefined) element.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/**
 * An HTML element.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, AttributeValue>} [attributes]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  fill(element, attributes, children);
  return element;
}

/**
 * An SVG element.
 * @param {string} tag
 * @param {Record<string, AttributeValue>} [attributes]
 * @param {...Child} children
 * @returns {SVGElement}
 */
export function svg(tag, attributes = {}, ...children) {
  const element = /** @type {SVGElement} */ (document.createElementNS('http://www.w3.org/2000/svg', tag));
  fill(element, attributes, children);
  return element;
}

/**
 * The element with this id, of the expected kind.
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} [kind]
 * @returns {T}
 */
export function byId(id, kind) {
  const element = document.getElementById(id);
  if (!element || !(element instanceof (kind ?? HTMLElement))) throw new Error(`the page has no ${kind?.name ?? 'element'} #${id}`);
  return /** @type {T} */ (element);
}

/**
 * A value as a table shows it: absent fields as an em dash, arrays joined.
 * @param {unknown} value
 */
export function cellText(value) {
  if (value === undefined || value === null || value === '') return '—';
  if (Array.isArray(value)) return value.length === 0 ? '—' : value.join(', ');
  return String(value);
}

// A horizontal bar chart as inline SVG, drawn from counts: one row a value, its bar scaled to
// the largest, its count and its share of the whole. Colours come from the style sheet.
import { svg } from './dom.js';

const ROW = 26;
const LABEL = 160;
const BAR = 230;
const COUNT = 130;
const PALETTE = 8;

/**
 * @typedef {{ key: string, label: string, count: number }} Bar
 */

/** @param {number} count @param {number} whole */
function share(count, whole) {
  if (whole === 0) return '';
  const percent = (count / whole) * 100;
  return ` (${percent < 10 && percent > 0 ? percent.toFixed(1) : Math.round(percent)}%)`;
}

/**
 * @param {string} title
 * @param {Bar[]} bars
 * @param {number} whole what shares are of: the project's hosts
 * @returns {SVGElement}
 */
export function barChart(title, bars, whole) {
  const largest = Math.max(1, ...bars.map(({ count }) => count));
  const width = LABEL + BAR + COUNT;
  const height = bars.length * ROW;
  return svg(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, width, height, class: 'bars', role: 'img', 'aria-label': title },
    ...bars.map(({ key, label, count }, index) => {
      const length = count === 0 ? 0 : Math.max(2, (count / largest) * BAR);
      const text = `${count.toLocaleString('en')}${share(count, whole)}`;
      return svg(
        'g',
        { transform: `translate(0 ${index * ROW})`, class: `bar c${index % PALETTE} v-${key.replace(/[^\w-]/g, '-')}`, 'data-value': key, 'data-count': count },
        svg('title', {}, `${label}: ${text}`),
        svg('text', { x: LABEL - 8, y: ROW / 2, 'text-anchor': 'end', 'dominant-baseline': 'central', class: 'label' }, label),
        svg('rect', { x: LABEL, y: 5, width: length, height: ROW - 10, rx: 3 }),
        svg('text', { x: LABEL + length + 6, y: ROW / 2, 'dominant-baseline': 'central', class: 'count' }, text),
      );
    }),
  );
}

/** @module actions/format-duration Durations as people read them in a result line: `850 ms`, `41.2 s`, `3 min 05 s` (one implementation, in the formatting leaf). */
export { formatDuration } from '../../format/human.js';

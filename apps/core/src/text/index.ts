export { visibleControls } from './visible-controls.js';

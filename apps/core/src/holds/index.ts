export { HOLD_SOURCE_PATTERN, holdEntrySchema, readHolds, setHold, type HoldEntry, type HoldsFile } from './file.js';

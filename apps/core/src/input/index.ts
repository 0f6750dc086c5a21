export { composerText, deliverText, stillInComposer, type DeliverOptions, type DeliveryResult } from './deliver.js';
export { createSerialQueue, type SerialQueue } from './serial-queue.js';
export { FOLDED_NEWLINE, foldLines, terminalInput, terminalText } from './terminal-text.js';

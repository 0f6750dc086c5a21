export { composerText, deliverText, stillInComposer, submitTyped, type DeliverOptions, type DeliveryResult, type InputBox } from './deliver.js';
export { createSerialQueue, type SerialQueue } from './serial-queue.js';
export { FOLDED_NEWLINE, foldLines, terminalInput, terminalText } from './terminal-text.js';

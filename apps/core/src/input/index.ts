export { deliverText, guardText, stillInComposer, MAX_TYPED_BYTES, type DeliverOptions, type DeliveryResult } from './deliver.js';
export { createSerialQueue, type SerialQueue } from './serial-queue.js';

export { DELIVERY_STATUSES, historyFile, openHistory, type DeliveryStatus, type HistoryPage, type HistoryStore, type StoredMessage } from './store.js';

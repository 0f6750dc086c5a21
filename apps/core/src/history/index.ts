export { historyFile, openHistory, type DeliveryStatus, type HistoryPage, type HistoryStore, type StoredMessage } from './store.js';

export { journalDay, writeAttachment } from './attachments.js';

export { appendMessage } from './append.js';
export {
  ADDRESS,
  addressSchema,
  agentOf,
  mailboxMessageSchema,
  MAX_INLINE_BODY_BYTES,
  MAX_LINE_BYTES,
  MAX_SUBJECT_CHARS,
  newMessageSchema,
  summarise,
  type MailboxMessage,
  type NewMessage,
} from './schema.js';

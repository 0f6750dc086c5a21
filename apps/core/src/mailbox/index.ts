export { appendMessage } from './append.js';
export { hostOf, localise, localiseMessage, qualify, qualifyMessage, withoutHost } from './address.js';
export {
  ADDRESS,
  HOST_NAME,
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

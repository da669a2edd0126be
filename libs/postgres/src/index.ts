export { createInSchema, inTransaction, migrateUnderLock } from './transactions.js';

export { inTransaction, migrateUnderLock } from './transactions.js';

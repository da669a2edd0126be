export { secretNamePattern, type SecretStore, type SecretSummary } from './port.js';
export { PostgresSecretStore } from './postgres-secret-store.js';
export { VaultSecretStore, type VaultSecretStoreOptions } from './vault-secret-store.js';
export { openSecretStore, secretsConfigFrom, type SecretsConfig } from './config.js';

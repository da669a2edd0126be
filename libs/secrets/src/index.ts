export { isSecretStoreError, secretNamePattern, SecretStoreError, type SecretStore, type SecretStoreErrorCode, type SecretsTransaction, type SecretSummary } from './port.js';
export { PostgresSecretStore, type PostgresSecretStoreOptions, type RewrapSummary } from './postgres-secret-store.js';
export { VaultSecretStore, type VaultSecretStoreOptions } from './vault-secret-store.js';
export { openSecretStore, secretsConfigFrom, type SecretsConfig, type SecretStoreLog } from './config.js';

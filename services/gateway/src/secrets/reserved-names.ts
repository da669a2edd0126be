/**
 * Secret names the platform keeps for itself: `audit.*` holds each tenant's audit signing keys.
 * A tenant admin who could read, overwrite or delete them, or hand them to a tool as a
 * credential (which sends the value to the tool's server), could sign a forged audit trail, so
 * no route takes such a name and listings never show one. Compared without case, so no name
 * that looks like one of them is taken either.
 */
export const reservedSecretPrefix = 'audit.';

export function isReservedSecretName(name: string): boolean {
  return name.toLowerCase().startsWith(reservedSecretPrefix);
}

export const reservedSecretReason = `names starting with "${reservedSecretPrefix}" are reserved: they hold the platform's audit signing keys, which no API reads, sets, deletes or hands to a tool. Choose another name.`;

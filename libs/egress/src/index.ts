export { addressRule, canonicalAddress, describeAddressRule, type AddressRule } from './address-rules.js';
export { AllowList, type Destination } from './allow-list.js';
export { EgressError, EgressGuard, egressAllowVariable, egressDenyVariable, metadataRanges, egressErrorIn, type EgressErrorCode, type EgressGuardOptions, type GuardedFetchOptions, type Resolver } from './egress-guard.js';
export { currentEgress } from './tenant-egress.js';

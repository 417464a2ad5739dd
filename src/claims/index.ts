/** Framework-free session claims: claim classes, validators and the validation algorithm. */
export * from './types';
export * from './session-claim';
export * from './session-claim-validator';
export * from './timestamped-claim';
export * from './primitive-claim';
export * from './primitive-array-claim';
export * from './boolean-claim';
export * from './validate-claims';

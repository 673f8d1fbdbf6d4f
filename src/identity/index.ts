export * from './id-number.js';
export * from './credit-code.js';
export * from './phone.js';

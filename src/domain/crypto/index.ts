/**
 * The crypto core: key pairs and fingerprints, keys wrapped under a passphrase, sealed and signed
 * ops. Pure functions over WebCrypto (and hash-wasm for Argon2id, loaded on first use), the same in
 * the phone, the desk and Node. docs/security.md says what each part protects and what it does not.
 */
export * from './algorithms.ts';
export * from './bytes.ts';
export * from './fingerprint.ts';
export * from './keys.ts';
export * from './passphrase.ts';
export * from './wrapped-key.ts';
export * from './pair-keys.ts';
export * from './compression.ts';
export * from './signature.ts';
export * from './sealed-op.ts';
export * from './key-file.ts';

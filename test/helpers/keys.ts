/** Test key material, generated fresh: no real key is ever needed. */
import { generateKeyPairSync, randomBytes } from 'node:crypto';

export function rsaKeyPair(passphrase?: string) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: passphrase
      ? { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }
      : { type: 'pkcs8', format: 'pem' },
  });
  return { privateKey, publicKey };
}

export function ed25519KeyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKey, publicKey };
}

export const randomApiKey = () => randomBytes(32).toString('hex').slice(0, 64);
export const randomSecret = () => randomBytes(32).toString('base64url');

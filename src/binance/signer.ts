/**
 * The three signature schemes Binance accepts, with node:crypto only.
 * A Signer holds its key material privately; nothing here ever logs or returns it.
 */
import { createHmac, createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto';

export type SigningScheme = 'HMAC' | 'RSA' | 'Ed25519';

export interface Signer {
  readonly scheme: SigningScheme;
  /** Returns the signature exactly as it is appended (hex, or base64 before percent-encoding). */
  sign(payload: string): string;
}

export function hmacSigner(secret: string): Signer {
  return {
    scheme: 'HMAC',
    sign: (payload) => createHmac('sha256', secret).update(payload, 'utf8').digest('hex'),
  };
}

export function loadPrivateKey(pem: string, passphrase?: string): KeyObject {
  return createPrivateKey(passphrase ? { key: pem, format: 'pem', passphrase } : { key: pem, format: 'pem' });
}

export function rsaSigner(key: KeyObject): Signer {
  if (key.asymmetricKeyType !== 'rsa') throw new Error('the private key is not an RSA key');
  return {
    scheme: 'RSA',
    sign: (payload) => cryptoSign('sha256', Buffer.from(payload, 'utf8'), key).toString('base64'),
  };
}

export function ed25519Signer(key: KeyObject): Signer {
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the private key is not an Ed25519 key');
  return {
    scheme: 'Ed25519',
    sign: (payload) => cryptoSign(null, Buffer.from(payload, 'utf8'), key).toString('base64'),
  };
}

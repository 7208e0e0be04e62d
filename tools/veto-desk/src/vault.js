// The citizen's Semaphore identity, kept in this browser only: its private key encrypted with
// a key derived from the citizen's passphrase (PBKDF2-SHA-256, 600,000 iterations, OWASP's
// figure for it; AES-256-GCM), in localStorage. Nothing about it leaves the page: the chain
// only ever sees the proofs made with it.
import { base64Decode, base64Encode } from "@polkadot/util-crypto";

const STORE = "teo-veto-desk/identity/v1";
const ITERATIONS = 600_000;
export const MIN_PASSPHRASE = 8;

/** Whether an (encrypted) identity is stored in this browser. */
export function hasStoredIdentity() {
  return localStorage.getItem(STORE) !== null;
}

/** A fresh private key: 32 random bytes, as Semaphore's `new Identity()` makes one. */
export function newPrivateKey() {
  return crypto.getRandomValues(new Uint8Array(32));
}

/** Semaphore's export format: the private key, base64-encoded (`Identity.export()`). */
export function exportPrivateKey(privateKey) {
  return base64Encode(privateKey);
}

/** The private key of a Semaphore export; throws with a reason if it is not one. */
export function importPrivateKey(text) {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) throw new Error("a Semaphore export is base64 text (Identity.export())");
  const privateKey = base64Decode(trimmed);
  if (privateKey.length === 0) throw new Error("the export is empty");
  return privateKey;
}

async function keyFrom(passphrase, salt) {
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(passphrase), "PBKDF2", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations: ITERATIONS },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** Encrypts and stores `privateKey`, replacing any stored identity. */
export async function storeIdentity(privateKey, passphrase) {
  if (passphrase.length < MIN_PASSPHRASE) throw new Error(`the passphrase needs at least ${MIN_PASSPHRASE} characters`);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await keyFrom(passphrase, salt), privateKey);
  localStorage.setItem(STORE, JSON.stringify({
    version: 1,
    salt: base64Encode(salt),
    iv: base64Encode(iv),
    sealed: base64Encode(new Uint8Array(sealed)),
  }));
}

/** The stored private key; throws "wrong passphrase" if it does not open. */
export async function unlockIdentity(passphrase) {
  const stored = JSON.parse(localStorage.getItem(STORE) ?? "null");
  if (!stored) throw new Error("no identity is stored in this browser");
  try {
    const opened = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: base64Decode(stored.iv) },
      await keyFrom(passphrase, base64Decode(stored.salt)),
      base64Decode(stored.sealed),
    );
    return new Uint8Array(opened);
  } catch {
    throw new Error("wrong passphrase");
  }
}

/** Deletes the stored identity from this browser. */
export function forgetIdentity() {
  localStorage.removeItem(STORE);
}

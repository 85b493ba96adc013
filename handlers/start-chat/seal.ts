/**
 * Participant tokens at rest. A participant token lets whoever holds it join a live chat and read
 * its transcript, so the chats table never holds one in the clear: a dump of the table, or of its
 * backups, hands out no chats. Each token is sealed to its item (the customer's key and the
 * contact), so a sealed token copied into another item does not open there.
 *
 * - Anonymous mode: the customer holds a 256-bit resume token, the table only its SHA-256. The
 *   sealing key is HKDF-SHA256 (RFC 5869) of the resume token under its own `info` label, which the
 *   stored hash cannot be turned into, and the cipher AES-256-GCM with a random 96-bit IV. No AWS call.
 * - Signed-in mode: the customer holds no secret, so the deployment's KMS key seals the token, with
 *   the customer's key and the contact as encryption context: a Decrypt naming any other context
 *   fails. One KMS Encrypt per new chat, one Decrypt per resume.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import type * as KMS from "@aws-sdk/client-kms";
import { lazy } from "../lazy";
import type { Customer } from "./customer";

export interface TokenSeal {
  /** `participantToken` of `contactId`, sealed to this customer: what the table stores. */
  seal(participantToken: string, customer: Customer, contactId: string): Promise<string>;
  /**
   * The participant token in `sealed`; undefined when it does not open for this customer and
   * contact: it was sealed for another item or altered, or the item predates sealing and has none.
   * A failing KMS call throws, so an outage is never mistaken for a chat that cannot be resumed.
   */
  open(sealed: string | undefined, customer: Customer, contactId: string): Promise<string | undefined>;
}

type KmsSdk = Pick<typeof KMS, "KMSClient" | "EncryptCommand" | "DecryptCommand">;

export interface KmsSealing {
  /** Called on first use: only signed-in customers need KMS, so anonymous mode never loads it. */
  loadSdk: () => KmsSdk;
  /** The key's ARN (ChatApi creates it in signed-in mode). */
  keyId: string;
  clientConfig?: KMS.KMSClientConfig;
}

const ivBytes = 12;
const tagBytes = 16;
/** Sets this key apart from any other use of the resume token; the table key is its plain SHA-256. */
const keyInfo = "connect-chat participant-token aes-256-gcm v1";

/**
 * Decrypt's answers for a blob that is not this key's for this context (KMS API reference, Decrypt;
 * its model, aws/aws-sdk-js-v3 codegen/sdk-codegen/aws-models/kms.json `com.amazonaws.kms#Decrypt`):
 * InvalidCiphertextException (400: "the specified ciphertext, or additional authenticated data
 * incorporated into the ciphertext, such as the encryption context, is corrupted, missing, or
 * otherwise invalid") and IncorrectKeyException (400: sealed under another key). Every other error
 * is KMS or the deployment failing (throttling, KMSInternalException 500, a disabled key), not the item.
 */
const notSealedForThisItem = ["InvalidCiphertextException", "IncorrectKeyException"];

export function tokenSeal(kms: KmsSealing): TokenSeal {
  const connection = lazy(() => {
    const sdk = kms.loadSdk();
    return { sdk, client: new sdk.KMSClient(kms.clientConfig ?? {}) };
  });
  return {
    async seal(participantToken, customer, contactId) {
      if (customer.resumeToken) return sealWithResumeToken(participantToken, customer.resumeToken, boundTo(customer, contactId));
      const { sdk, client } = connection();
      const { CiphertextBlob } = await client.send(new sdk.EncryptCommand({
        KeyId: kms.keyId,
        Plaintext: Buffer.from(participantToken, "utf8"),
        EncryptionContext: encryptionContext(customer, contactId),
      }));
      if (!CiphertextBlob) throw new Error("KMS Encrypt answered without a CiphertextBlob");
      return Buffer.from(CiphertextBlob).toString("base64");
    },
    async open(sealed, customer, contactId) {
      if (!sealed) return undefined;
      if (customer.resumeToken) return openWithResumeToken(sealed, customer.resumeToken, boundTo(customer, contactId));
      const { sdk, client } = connection();
      try {
        const { Plaintext } = await client.send(new sdk.DecryptCommand({
          // Naming the key makes KMS use only it (the API reference's advice for Decrypt).
          KeyId: kms.keyId,
          CiphertextBlob: Buffer.from(sealed, "base64"),
          EncryptionContext: encryptionContext(customer, contactId),
        }));
        if (!Plaintext) throw new Error("KMS Decrypt answered without a Plaintext");
        return Buffer.from(Plaintext).toString("utf8");
      } catch (error) {
        if (notSealedForThisItem.includes((error as Error).name)) return undefined;
        throw error;
      }
    },
  };
}

/** KMS's binding of a blob to its item; the key policy also requires a signed-in customer's key. */
function encryptionContext(customer: Customer, contactId: string): Record<string, string> {
  return { customerKey: customer.key, contactId };
}

/** The AES-GCM additional data: the same binding, unambiguous whatever the strings hold. */
function boundTo(customer: Customer, contactId: string): Buffer {
  return Buffer.from(JSON.stringify([customer.key, contactId]), "utf8");
}

function keyFrom(resumeToken: string): Buffer {
  return Buffer.from(hkdfSync("sha256", Buffer.from(resumeToken, "utf8"), Buffer.alloc(0), keyInfo, 32));
}

/** base64url(IV ‖ ciphertext ‖ GCM tag). */
function sealWithResumeToken(participantToken: string, resumeToken: string, additionalData: Buffer): string {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv("aes-256-gcm", keyFrom(resumeToken), iv, { authTagLength: tagBytes });
  cipher.setAAD(additionalData);
  const ciphertext = Buffer.concat([cipher.update(participantToken, "utf8"), cipher.final()]);
  return Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString("base64url");
}

function openWithResumeToken(sealed: string, resumeToken: string, additionalData: Buffer): string | undefined {
  const blob = Buffer.from(sealed, "base64url");
  if (blob.length <= ivBytes + tagBytes) return undefined;
  const decipher = createDecipheriv("aes-256-gcm", keyFrom(resumeToken), blob.subarray(0, ivBytes), { authTagLength: tagBytes });
  decipher.setAAD(additionalData);
  decipher.setAuthTag(blob.subarray(blob.length - tagBytes));
  try {
    return Buffer.concat([decipher.update(blob.subarray(ivBytes, blob.length - tagBytes)), decipher.final()]).toString("utf8");
  } catch {
    // The tag does not verify: another customer's key, another item's binding, or altered bytes.
    return undefined;
  }
}

/**
 * AWS KMS, emulated for the local stack: Encrypt and Decrypt with symmetric keys, the two calls
 * start-chat makes to seal signed-in customers' participant tokens (handlers/start-chat/seal.ts).
 * It speaks KMS's JSON 1.1 protocol (POST, `X-Amz-Target: TrentService.<operation>`, blobs in
 * base64), so the unmodified @aws-sdk/client-kms reaches it through AWS_ENDPOINT_URL_KMS, and it
 * keeps the rules seal.ts relies on:
 * - a Decrypt must name the encryption context of the Encrypt, pair for pair, or it gets
 *   InvalidCiphertextException, as does a blob that is altered or not a blob at all;
 * - a Decrypt naming another key than the blob's gets IncorrectKeyException, an unknown key
 *   NotFoundException.
 * Shapes, error names and HTTP statuses as in the KMS API reference (Encrypt, Decrypt, Common
 * Errors) and its model, aws/aws-sdk-js-v3 codegen/sdk-codegen/aws-models/kms.json
 * (`com.amazonaws.kms#Decrypt` lists the errors; InvalidCiphertextException, IncorrectKeyException
 * and NotFoundException are 400, KMSInternalException 500). The blob is opaque in KMS too; here it
 * is the key id, a 96-bit IV, AES-256-GCM ciphertext and tag, with the context as additional data.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { bodyLimits, readBody, RequestError } from "./request-body";

export interface KmsKey {
  /** The key id, a UUID; the key's ARN is `arn:aws:kms:<region>:<account>:key/<id>`. */
  id: string;
  /** 256 bits of key material. */
  material: Buffer;
}

export interface KmsEmulatorOptions {
  keys: KmsKey[];
  region: string;
  accountId: string;
}

/** Failures the emulator can be told to show, as KMS shows them. */
export interface KmsFaults {
  /** Operations the faults apply to (Encrypt, Decrypt); all when omitted. */
  operations?: string[];
  /** Answer 500 KMSInternalException. */
  serverError?: boolean;
}

class KmsError extends Error {
  constructor(readonly status: number, readonly errorType: string, message: string) {
    super(message);
  }
}

const idBytes = 36;
const ivBytes = 12;
const tagBytes = 16;

export function createKmsEmulator(options: KmsEmulatorOptions) {
  const arnPrefix = `arn:aws:kms:${options.region}:${options.accountId}:key/`;
  const arnOf = (id: string) => `${arnPrefix}${id}`;
  const keys = new Map(options.keys.map((key) => [key.id, key]));
  const calls = new Map<string, number>();
  let faults: KmsFaults = {};

  const invalidCiphertext = () => new KmsError(400, "InvalidCiphertextException", "The ciphertext or its encryption context is invalid");

  /** A KeyId as KMS takes it here: the key id or the key ARN (aliases are not emulated). */
  function keyNamed(keyId: unknown): KmsKey {
    const key = typeof keyId === "string" ? keys.get(keyId.startsWith(arnPrefix) ? keyId.slice(arnPrefix.length) : keyId) : undefined;
    if (!key) throw new KmsError(400, "NotFoundException", `Key '${String(keyId)}' does not exist`);
    return key;
  }

  /** KMS compares encryption contexts as sets of pairs: the order they are sent in does not count. */
  function contextData(context: unknown): Buffer {
    if (context !== undefined && (typeof context !== "object" || context === null || Object.values(context).some((v) => typeof v !== "string"))) {
      throw new KmsError(400, "ValidationException", "EncryptionContext must map strings to strings");
    }
    const pairs = Object.entries((context ?? {}) as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Buffer.from(JSON.stringify(pairs), "utf8");
  }

  function blobOf(value: unknown, max: number): Buffer {
    const blob = typeof value === "string" ? Buffer.from(value, "base64") : Buffer.alloc(0);
    if (blob.length < 1 || blob.length > max) throw new KmsError(400, "ValidationException", `A blob of 1 to ${max} bytes is required`);
    return blob;
  }

  function encrypt(body: Record<string, unknown>): unknown {
    const key = keyNamed(body.KeyId);
    const plaintext = blobOf(body.Plaintext, 4096);
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv("aes-256-gcm", key.material, iv, { authTagLength: tagBytes });
    cipher.setAAD(contextData(body.EncryptionContext));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const blob = Buffer.concat([Buffer.from(key.id, "ascii"), iv, ciphertext, cipher.getAuthTag()]);
    return { CiphertextBlob: blob.toString("base64"), KeyId: arnOf(key.id), EncryptionAlgorithm: "SYMMETRIC_DEFAULT" };
  }

  function decrypt(body: Record<string, unknown>): unknown {
    const blob = blobOf(body.CiphertextBlob, 6144);
    const key = keys.get(blob.subarray(0, idBytes).toString("ascii"));
    if (!key || blob.length <= idBytes + ivBytes + tagBytes) throw invalidCiphertext();
    if (body.KeyId !== undefined && keyNamed(body.KeyId) !== key) throw new KmsError(400, "IncorrectKeyException", "The ciphertext was encrypted under another key");
    const decipher = createDecipheriv("aes-256-gcm", key.material, blob.subarray(idBytes, idBytes + ivBytes), { authTagLength: tagBytes });
    decipher.setAAD(contextData(body.EncryptionContext));
    decipher.setAuthTag(blob.subarray(blob.length - tagBytes));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(blob.subarray(idBytes + ivBytes, blob.length - tagBytes)), decipher.final()]);
    } catch {
      throw invalidCiphertext();
    }
    return { KeyId: arnOf(key.id), Plaintext: plaintext.toString("base64"), EncryptionAlgorithm: "SYMMETRIC_DEFAULT" };
  }

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = { Encrypt: encrypt, Decrypt: decrypt };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID() };
    const [service, operation = ""] = String(req.headers["x-amz-target"] ?? "").split(".");
    calls.set(operation, (calls.get(operation) ?? 0) + 1);
    try {
      const raw = await readBody(req, bodyLimits.jsonApi);
      if (!String(req.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256")) throw new KmsError(403, "MissingAuthenticationToken", "Requests must be signed with SigV4");
      const run = service === "TrentService" ? operations[operation] : undefined;
      if (req.method !== "POST" || !run) throw new KmsError(400, "UnknownOperationException", `${String(req.headers["x-amz-target"])} is not emulated`);
      if (faults.serverError && (!faults.operations || faults.operations.includes(operation))) throw new KmsError(500, "KMSInternalException", "Internal error");
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw.toString("utf8") || "{}");
      } catch {
        throw new KmsError(400, "SerializationException", "The request body is not JSON");
      }
      const result = JSON.stringify(run(body));
      res.writeHead(200, headers).end(result);
    } catch (error) {
      // A body over the limit is a 413, which the model has no shape for: the SDK reports it by this name.
      const known = error instanceof KmsError ? error
        : error instanceof RequestError ? new KmsError(error.status, "RequestEntityTooLargeException", error.message)
        : new KmsError(500, "KMSInternalException", "Internal error");
      // JSON 1.1 errors: the type in `__type`, the text in `message`.
      res.writeHead(known.status, headers).end(JSON.stringify({ __type: known.errorType, message: known.message }));
    }
  }

  return {
    /** Serves the KMS JSON 1.1 protocol; the URL path is ignored, so it can be mounted anywhere. */
    handle,
    /** How many times each operation was called: what a request costs in KMS calls. */
    callCounts: () => Object.fromEntries(calls) as Record<string, number>,
    resetCallCounts: () => calls.clear(),
    /** Replaces the fault switches; `{}` turns them all off. */
    setFaults(next: KmsFaults) {
      faults = { ...next };
    },
  };
}

export type KmsEmulator = ReturnType<typeof createKmsEmulator>;

/**
 * The local KMS emulator through the real @aws-sdk/client-kms: the rules signed-in mode's sealing
 * relies on, answered with KMS's error names (KMS API reference, Decrypt).
 */
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DecryptCommand, EncryptCommand, KMSClient } from "@aws-sdk/client-kms";
import { expect } from "chai";
import { createKmsEmulator } from "../local/kms-emulator";

describe("KMS emulator (AWS SDK v3 client)", () => {
  const account = "000000000000";
  const ids = ["55555555-5555-4555-8555-555555555555", "66666666-6666-4666-8666-666666666666"];
  const [keyArn, otherKeyArn] = ids.map((id) => `arn:aws:kms:us-east-1:${account}:key/${id}`);
  const kms = createKmsEmulator({ region: "us-east-1", accountId: account, keys: ids.map((id) => ({ id, material: randomBytes(32) })) });
  let server: Server;
  let client: KMSClient;
  before(async () => {
    server = createServer((req, res) => void kms.handle(req, res)).listen(0, "127.0.0.1");
    await once(server, "listening");
    client = new KMSClient({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/kms`, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" }, maxAttempts: 1 });
  });
  after(() => {
    client.destroy();
    server.close();
  });

  const context = { customerKey: "sub#ana", contactId: "c-1" };
  const sealed = async () => (await client.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from("secret"), EncryptionContext: context }))).CiphertextBlob!;
  const failure = (promise: Promise<unknown>) => promise.then(() => "succeeded", (error: Error & { $metadata?: { httpStatusCode?: number } }) => `${error.$metadata?.httpStatusCode} ${error.name}`);

  it("decrypts what it encrypted under the same context, whatever the order of its pairs", async () => {
    const blob = await sealed();
    expect(Buffer.from(blob).toString("utf8")).to.not.include("secret");
    const reversed = { contactId: context.contactId, customerKey: context.customerKey };
    const { Plaintext, KeyId } = await client.send(new DecryptCommand({ KeyId: keyArn, CiphertextBlob: blob, EncryptionContext: reversed }));
    expect(Buffer.from(Plaintext!).toString("utf8")).to.equal("secret");
    expect(KeyId).to.equal(keyArn);
  });

  const refusals: [string, (blob: Uint8Array) => DecryptCommand, string][] = [
    ["another context", (blob) => new DecryptCommand({ KeyId: keyArn, CiphertextBlob: blob, EncryptionContext: { ...context, customerKey: "sub#bo" } }), "400 InvalidCiphertextException"],
    ["no context", (blob) => new DecryptCommand({ KeyId: keyArn, CiphertextBlob: blob }), "400 InvalidCiphertextException"],
    ["an altered blob", (blob) => new DecryptCommand({ KeyId: keyArn, CiphertextBlob: Buffer.from(blob).map((byte, i) => (i === blob.length - 1 ? byte ^ 1 : byte)), EncryptionContext: context }), "400 InvalidCiphertextException"],
    ["bytes that are no blob", () => new DecryptCommand({ KeyId: keyArn, CiphertextBlob: Buffer.from("participant-token"), EncryptionContext: context }), "400 InvalidCiphertextException"],
    ["another key named", (blob) => new DecryptCommand({ KeyId: otherKeyArn, CiphertextBlob: blob, EncryptionContext: context }), "400 IncorrectKeyException"],
    ["an unknown key named", (blob) => new DecryptCommand({ KeyId: "alias/nothing", CiphertextBlob: blob, EncryptionContext: context }), "400 NotFoundException"],
  ];
  for (const [what, command, expected] of refusals) {
    it(`refuses a Decrypt with ${what} (${expected})`, async () => {
      expect(await failure(client.send(command(await sealed())))).to.equal(expected);
    });
  }

  it("answers KMSInternalException (500) when told to fail", async () => {
    kms.setFaults({ operations: ["Encrypt"], serverError: true });
    try {
      expect(await failure(sealed())).to.equal("500 KMSInternalException");
    } finally {
      kms.setFaults({});
    }
  });

  it("refuses an unsigned request", async () => {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "TrentService.Encrypt" },
      body: JSON.stringify({ KeyId: keyArn, Plaintext: Buffer.from("x").toString("base64") }),
    });
    expect(response.status).to.equal(403);
    expect((await response.json()).__type).to.equal("MissingAuthenticationToken");
  });
});

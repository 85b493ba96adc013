/**
 * The emulated Connect control plane checks SigV4 as AWS does (local/sigv4.ts), through the real
 * @aws-sdk/client-connect: the stack's own credentials pass; an unsigned request, a wrong secret,
 * an unknown key, a body changed after signing, a stale date and a wrong region are refused with
 * the names, status and `{ message }` AWS's JSON front door answers with. Compared against: the IAM
 * user guide's "Create a signed AWS API request" (canonical request, string to sign, signing key),
 * the Connect API reference's "Common Errors" (15 minutes; MissingAuthenticationToken,
 * IncompleteSignature, InvalidClientTokenId), and the SDK's own signer, @smithy/signature-v4.
 */
import {
  ConnectClient, DescribeContactCommand, SearchUsersCommand, StartChatContactCommand, type ConnectServiceException,
} from "@aws-sdk/client-connect";
import { expect } from "chai";
import type { LocalStack } from "../local/stack";
import { localStack } from "./support/hooks";

describe("Connect control plane: SigV4 as AWS checks it (AWS SDK v3 client)", () => {
  let stack: LocalStack;
  const clients: ConnectClient[] = [];
  before(async () => {
    stack = await localStack();
  });
  after(() => {
    for (const client of clients.splice(0)) client.destroy();
  });

  /** A client as the handler builds one (endpoint and region from the stack's environment), with overrides. */
  function client(config: ConstructorParameters<typeof ConnectClient>[0] = {}): ConnectClient {
    const made = new ConnectClient({
      endpoint: stack.env.AWS_ENDPOINT_URL_CONNECT,
      region: stack.env.AWS_REGION,
      credentials: { accessKeyId: stack.env.AWS_ACCESS_KEY_ID, secretAccessKey: stack.env.AWS_SECRET_ACCESS_KEY },
      maxAttempts: 1,
      ...config,
    });
    clients.push(made);
    return made;
  }
  const search = () => new SearchUsersCommand({ InstanceId: stack.settings.instanceId, SearchCriteria: { StringCondition: { FieldName: "Username", Value: "jdoe", ComparisonType: "EXACT" } } });
  /** An error as the SDK parsed it: the name from x-amzn-ErrorType, the status, the message from `{ message }`. */
  const refusal = (promise: Promise<unknown>) => promise.then(
    () => expect.fail("expected a refusal"),
    (error: ConnectServiceException) => ({ name: error.name, status: error.$metadata.httpStatusCode, message: error.message }),
  );
  const signatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

  it("serves the real client signing with the stack's credentials (SearchUsers, StartChatContact, DescribeContact)", async () => {
    const connect = client();
    const { Users } = await connect.send(search());
    expect(Users?.map((user) => user.Username)).to.deep.equal(["jdoe"]);
    const started = await connect.send(new StartChatContactCommand({
      InstanceId: stack.settings.instanceId, ContactFlowId: stack.settings.contactFlowId, ParticipantDetails: { DisplayName: "Sig Nature" },
    }));
    // A GET with the instance and contact in the path: the path is part of what is signed.
    const { Contact } = await connect.send(new DescribeContactCommand({ InstanceId: stack.settings.instanceId, ContactId: started.ContactId! }));
    expect(Contact?.Id).to.equal(started.ContactId);
  });

  it("refuses an unsigned request: 403 MissingAuthenticationTokenException, and creates nothing", async () => {
    const before = stack.emulator.contacts().length;
    const answer = await fetch(`${stack.url}/connect/contact/chat`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ InstanceId: stack.settings.instanceId, ContactFlowId: stack.settings.contactFlowId, ParticipantDetails: { DisplayName: "No Sig" } }),
    });
    expect(answer.status).to.equal(403);
    expect(answer.headers.get("x-amzn-errortype")).to.equal("MissingAuthenticationTokenException");
    expect(await answer.json()).to.deep.equal({ message: "Missing Authentication Token" });
    expect(stack.emulator.contacts().length).to.equal(before);
  });

  it("refuses an Authorization header that only looks like SigV4: 403 IncompleteSignatureException", async () => {
    const answer = await fetch(`${stack.url}/connect/search-users`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "AWS4-HMAC-SHA256 Credential=x" },
      body: JSON.stringify({ InstanceId: stack.settings.instanceId }),
    });
    expect(answer.status).to.equal(403);
    expect(answer.headers.get("x-amzn-errortype")).to.equal("IncompleteSignatureException");
  });

  it("refuses a wrong secret (InvalidSignatureException) and an unknown access key (UnrecognizedClientException)", async () => {
    expect(await refusal(client({ credentials: { accessKeyId: stack.env.AWS_ACCESS_KEY_ID, secretAccessKey: "not-the-secret" } }).send(search())))
      .to.deep.equal({ name: "InvalidSignatureException", status: 403, message: signatureMismatch });
    expect(await refusal(client({ credentials: { accessKeyId: "AKIDNOTKNOWN", secretAccessKey: stack.env.AWS_SECRET_ACCESS_KEY } }).send(search())))
      .to.deep.equal({ name: "UnrecognizedClientException", status: 403, message: "The security token included in the request is invalid." });
  });

  it("refuses a body changed after signing, and creates nothing", async () => {
    const connect = client();
    // After the SDK's signing middleware: the body on the wire is not the body that was signed.
    type Args = { request: { body?: unknown; headers: Record<string, string> } };
    const tamper = (next: (args: Args) => Promise<unknown>) => async (args: Args) => {
      const sent = args.request.body;
      const signed = sent instanceof Uint8Array ? new TextDecoder().decode(sent) : String(sent);
      expect(signed).to.include("Honest Name");
      const body = signed.replace("Honest Name", "Forged Name");
      args.request.body = body;
      args.request.headers["content-length"] = String(Buffer.byteLength(body));
      return next(args);
    };
    connect.middlewareStack.addRelativeTo(tamper as never, { relation: "after", toMiddleware: "httpSigningMiddleware", name: "tamperAfterSigning" });
    const before = stack.emulator.contacts().length;
    const answer = await refusal(connect.send(new StartChatContactCommand({
      InstanceId: stack.settings.instanceId, ContactFlowId: stack.settings.contactFlowId, ParticipantDetails: { DisplayName: "Honest Name" },
    })));
    expect(answer).to.deep.equal({ name: "InvalidSignatureException", status: 403, message: signatureMismatch });
    expect(stack.emulator.contacts().length).to.equal(before);
  });

  it("refuses a date more than 15 minutes off, and the SDK corrects its clock from the answer's Date as with AWS", async () => {
    const stale = await refusal(client({ systemClockOffset: -20 * 60 * 1000 }).send(search()));
    expect(stale.name).to.equal("InvalidSignatureException");
    expect(stale.status).to.equal(403);
    expect(stale.message).to.match(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
    const future = await refusal(client({ systemClockOffset: 20 * 60 * 1000 }).send(search()));
    expect(future.message).to.match(/^Signature not yet current: /);
    // Within 15 minutes is fine.
    await client({ systemClockOffset: -10 * 60 * 1000 }).send(search());
    // InvalidSignatureException is one of the SDK's clock-skew errors: with retries it reads the
    // server's Date, corrects its offset and succeeds, as it does against AWS.
    const skewed = client({ systemClockOffset: -20 * 60 * 1000, maxAttempts: 2 });
    const { Users } = await skewed.send(search());
    expect(Users).to.have.length(1);
  });

  it("refuses a signature scoped to another region", async () => {
    const answer = await refusal(client({ region: "eu-west-2" }).send(search()));
    expect(answer.name).to.equal("InvalidSignatureException");
    expect(answer.message).to.include("Credential should be scoped to a valid region");
  });
});

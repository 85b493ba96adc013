/**
 * The code Pulumi serializes for the start-chat Lambda, written to disk and run in a fresh Node
 * process against the local stack: the shipped artifact works, not only the source.
 */
import { expect } from "chai";
import { ChatApi } from "../infra";
import { localContactFlowId, localInstanceId, type LocalStack } from "../local/stack";
import { localStack } from "./support/hooks";
import { lambdaArtifact, postToArtifact, type LambdaArtifact } from "./support/lambda-artifact";
import { allRegistered, resourceOf, useMocks, valueOf } from "./support/pulumi-mocks";

describe("start-chat artifact (serialized by Pulumi)", () => {
  let artifact: LambdaArtifact;
  let stack: LocalStack;

  before(async () => {
    stack = await localStack();
    const resources = useMocks({ "artifact-chats": stack.settings.chatsTableName });
    const api = new ChatApi("artifact", { instanceId: localInstanceId, contactFlowId: localContactFlowId, allowedOrigins: [] });
    await allRegistered();
    await valueOf(api.functionArn);
    artifact = await lambdaArtifact(resourceOf(resources, "aws:lambda/function:Function"), stack);
  });

  const invoke = (body: unknown) => postToArtifact(artifact, body);

  it("starts a chat, then resumes it from another cold start", async () => {
    const first = await invoke({ ParticipantDetails: { DisplayName: "Ana" }, Username: "jdoe" });
    expect(first.status).to.equal(200);
    const contactId = first.body.data.startChatResult.ContactId;
    expect(stack.emulator.contact(contactId)?.attributes.agentUsername).to.equal("jdoe");
    const again = await invoke({ name: "Ana", resumeToken: first.body.data.resumeToken });
    expect(again.body.data).to.deep.include({ resumed: true });
    expect(again.body.data.startChatResult.ContactId).to.equal(contactId);
  });

  it("refuses bad input with the same JSON errors", async () => {
    const response = await invoke({ name: "" });
    expect(response.status).to.equal(400);
    expect(response.body.error).to.deep.include({ code: "INVALID_REQUEST", field: "name" });
  });
});

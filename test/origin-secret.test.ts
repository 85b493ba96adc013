/**
 * The origin secret under Pulumi's mocks: CloudFront sends one secret, the function accepts it, and
 * a rotation (`originSecretRotation` + `pulumi up`) never leaves an edge still on the old
 * distribution config with a secret the function refuses.
 */
import { join } from "node:path";
import { expect } from "chai";
import { originSecretHeader } from "../handlers/start-chat/client";
import { engineConfig, loadProject, stackConfigOf } from "./support/pulumi-cli";
import { runProgramWithConfig, type MockResource } from "./support/pulumi-mocks";

const project = loadProject(join(__dirname, "..", "Pulumi.yaml"));
const instanceId = "11111111-1111-4111-8111-111111111111";

async function deploy(config: Record<string, unknown>) {
  const { resources } = await runProgramWithConfig(join(__dirname, "..", "index.ts"), project.name, engineConfig(project, "test", stackConfigOf(project, { instanceId, ...config })));
  const env = resources.find((r) => r.type === "aws:lambda/function:Function" && r.name === "chat-start-chat")!.inputs.environment.variables as Record<string, string>;
  const distribution = resources.find((r: MockResource) => r.type === "aws:cloudfront/distribution:Distribution");
  const apiOrigin = distribution?.inputs.origins.find((origin: { originId: string }) => origin.originId === "api");
  const sent = apiOrigin?.customHeaders?.find((header: { name: string }) => header.name === originSecretHeader)?.value as string | undefined;
  return { accepted: env.ORIGIN_SECRETS === "" ? [] : env.ORIGIN_SECRETS.split(","), sent };
}

describe("the origin secret (index.ts under Pulumi mocks)", () => {
  it("is sent by CloudFront on the way to the API and accepted by the function", async () => {
    const { accepted, sent } = await deploy({});
    expect(sent).to.match(/^[A-Za-z0-9]{48}$/);
    expect(accepted).to.have.length(2).and.include(sent);
  });

  it("rotates with originSecretRotation: each step replaces the secret not in use, so the one sent before stays accepted", async () => {
    let previous = await deploy({ originSecretRotation: 1 });
    for (const rotation of [2, 3, 4]) {
      const next = await deploy({ originSecretRotation: rotation });
      expect(next.sent, `rotation ${rotation} sends a new secret`).to.not.equal(previous.sent);
      expect(next.accepted, `rotation ${rotation} still accepts what edges sent before`).to.include(previous.sent);
      previous = next;
    }
  });

  it("is not made without the site: the API is called directly and limits its connection's address", async () => {
    const { accepted, sent } = await deploy({ site: false });
    expect(sent).to.equal(undefined);
    expect(accepted).to.deep.equal([]);
  });
});

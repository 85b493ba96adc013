import { expect } from "chai";
import { settingsFromEnv, settingsToEnv, type StartChatSettings } from "../handlers/start-chat/settings";
import { localSettings } from "../local/stack";

describe("start-chat settings", () => {
  it("survive the trip through the function's environment", () => {
    const settings: StartChatSettings = { ...localSettings, allowedAttributes: ["customerName", "orderId"], attachments: true, authMode: "jwt" };
    expect(settingsFromEnv(settingsToEnv(settings))).to.deep.equal(settings);
  });

  it("allow an empty attribute allowlist", () => {
    expect(settingsFromEnv(settingsToEnv({ ...localSettings, allowedAttributes: [] })).allowedAttributes).to.deep.equal([]);
  });

  it("name a missing variable", () => {
    const env = settingsToEnv(localSettings);
    delete env.CHATS_TABLE;
    expect(() => settingsFromEnv(env)).to.throw("CHATS_TABLE is not set");
  });

  it("need the token key in signed-in mode only", () => {
    expect(() => settingsFromEnv(settingsToEnv({ ...localSettings, authMode: "jwt", tokenKeyId: "" }))).to.throw("TOKEN_KEY_ID is not set");
    expect(settingsFromEnv(settingsToEnv({ ...localSettings, tokenKeyId: "" })).tokenKeyId).to.equal("");
  });

  const bad: [string, Partial<StartChatSettings>, string][] = [
    ["a 30-minute chat", { chatDurationMinutes: 30 }, "chatDurationMinutes"],
    ["an unknown rehydration mode", { rehydration: "ALL" as never }, "rehydration"],
    ["content types without text/plain", { contentTypes: ["text/markdown"] }, "contentTypes"],
    ["an unknown auth mode", { authMode: "cookie" as never }, "authMode"],
    ["a negative cache time", { agentCacheSeconds: -1 }, "agentCacheSeconds"],
    ["an attribute name with a space", { allowedAttributes: ["customer name"] }, "allowedAttributes"],
    ["an attribute the server sets", { allowedAttributes: ["agentId"] }, "is set by the server"],
  ];
  for (const [what, change, message] of bad) {
    it(`refuse ${what}`, () => {
      expect(() => settingsFromEnv(settingsToEnv({ ...localSettings, ...change }))).to.throw(message);
    });
  }
});

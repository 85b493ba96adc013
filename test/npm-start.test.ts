/** `npm start` as a newcomer runs it: it says where it is, answers, and stops cleanly on Ctrl-C. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { withNpmStart } from "./support/npm-start";

const post = async (url: string, body: unknown) => (await fetch(`${url}/api/chat`, { method: "POST", body: JSON.stringify(body) })).json();

describe("npm start", () => {
  it("says where everything is, serves the API and the pages, and exits 0 on Ctrl-C", async () => {
    await withNpmStart([], async (url, banner) => {
      expect(banner).to.include(`${url}/agent`).and.include(`curl -s ${url}/api/chat`);
      const first = await post(url, { ParticipantDetails: { DisplayName: "Ana" }, Username: "jdoe" });
      const again = await post(url, { name: "Ana", resumeToken: first.data.resumeToken });
      expect(again.data.resumed).to.equal(true);
      expect(again.data.startChatResult).to.deep.equal(first.data.startChatResult);
      for (const page of ["/", "/agent"]) expect((await fetch(`${url}${page}`)).status, page).to.equal(200);
    });
  });

  it("keeps the console clean: no warning blocks, at most one line about an unsupported Node.js", async () => {
    const errors = await withNpmStart([], async (url) => {
      await post(url, { name: "Ana" });
    });
    expect(errors).to.not.match(/Warning/);
    const lines = errors.split("\n").filter(Boolean);
    expect(lines.length, errors).to.be.at.most(1);
    expect(lines.every((line) => line.startsWith("Note: connect-chat supports Node.js 22 or later")), errors).to.equal(true);
  });

  it("with --data, keeps chats across a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "connect-chat-data-"));
    let first: { data: { resumeToken: string; startChatResult: unknown } } | undefined;
    await withNpmStart(["--data", dir], async (url) => {
      first = await post(url, { name: "Ana" });
    });
    await withNpmStart(["--data", dir], async (url) => {
      const again = await post(url, { name: "Ana", resumeToken: first!.data.resumeToken });
      expect(again.data.resumed).to.equal(true);
      expect(again.data.startChatResult).to.deep.equal(first!.data.startChatResult);
    });
  });
});
